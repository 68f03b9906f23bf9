package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The URL validators, called through validator.StringRequest.
func TestURLValidators(t *testing.T) {
	invalidURL := func(detail string) wantDiag { return wantDiag{"Invalid URL", detail, "attr"} }
	invalidRepo := func(detail string) wantDiag { return wantDiag{"Invalid code repository", detail, "attr"} }
	runStringCases(t, []stringCase{
		{"callback", httpURLValidator{}, "https://orders.example.com/webhooks/lowcode", ok},
		{"plain http callback", httpURLValidator{}, "http://orders.internal:8080/hook", ok},
		{"relative callback", httpURLValidator{}, "/webhooks/lowcode",
			invalidURL(`"/webhooks/lowcode" is not an absolute http:// or https:// URL, such as https://orders.example.com/webhooks/lowcode.`)},
		{"ftp callback", httpURLValidator{}, "ftp://example.com/hook", invalidURL(`"ftp://example.com/hook" is not an absolute http:// or https:// URL`)},
		{"callback without a host", httpURLValidator{}, "https:///hook", invalidURL("is not an absolute http:// or https:// URL")},
		{"ftp callback with a password", httpURLValidator{}, "ftp://user:hunter2@example.com/hook",
			invalidURL(`"ftp://user:xxxxx@example.com/hook" is not an absolute http:// or https:// URL`)},
		{"callback with credentials", httpURLValidator{}, "https://user:hunter2@example.com/hook",
			invalidURL("The URL carries credentials (user:password@); the platform refuses them. Authenticate the receiver with the webhook's signature instead.")},

		{"step url", stepURLValidator{}, "https://crm.example.com/api/v2/orders", ok},
		{"step url with credentials", stepURLValidator{}, "https://user:hunter2@crm.example.com/api",
			invalidURL("attr carries credentials (user:password@); the platform refuses them. Send them in `headers` instead, such as `Authorization = \"Bearer ...\"`.")},
		{"relative step url", stepURLValidator{}, "/api", invalidURL(`"/api" is not an absolute http:// or https:// URL`)},

		{"repository shorthand", codeRepoValidator{}, "github.com/company/crm-sync", ok},
		{"repository shorthand with nested groups and a port", codeRepoValidator{}, "git.example.com:8443/group/sub/crm-sync", ok},
		{"https repository", codeRepoValidator{}, "https://github.com/company/crm-sync.git", ok},
		{"ssh repository with a user", codeRepoValidator{}, "ssh://git@github.com/company/crm-sync.git", ok},
		{"repository shorthand without a repo", codeRepoValidator{}, "github.com/company",
			invalidRepo(`"github.com/company" is not a repository location; the value must be a repository URL (https://, http://, ssh:// or git://) or host/owner/repo such as github.com/company/crm-sync.`)},
		{"repository with a space", codeRepoValidator{}, "github.com/company/crm sync", invalidRepo(`"github.com/company/crm sync" contains spaces`)},
		{"ftp repository", codeRepoValidator{}, "ftp://example.com/company/crm-sync", invalidRepo("is not a repository URL git can clone")},
		{"repository URL without a path", codeRepoValidator{}, "https://github.com/", invalidRepo("names no host or no repository path")},
		{"repository URL with a password", codeRepoValidator{}, "https://ci:hunter2@github.com/company/crm-sync",
			invalidRepo("The repository URL carries a password, which every reader of the integration would see. Leave it out.")},
	})
}

// A refused URL with a password never repeats the password, whatever else is wrong with it:
// the value may come from a sensitive variable, and plan output ends up in CI logs.
func TestURLValidatorsHidePasswords(t *testing.T) {
	for _, tc := range []stringCase{
		{"callback", httpURLValidator{}, "https://user:hunter2@example.com/hook", ok},
		{"ftp callback", httpURLValidator{}, "ftp://user:hunter2@example.com/hook", ok},
		{"step", stepURLValidator{}, "https://user:hunter2@crm.example.com/api", ok},
		{"ftp step", stepURLValidator{}, "ftp://user:hunter2@crm.example.com/api", ok},
		{"repository", codeRepoValidator{}, "https://ci:hunter2@github.com/company/crm-sync", ok},
		{"ftp repository", codeRepoValidator{}, "ftp://ci:hunter2@example.com/company/crm-sync", ok},
		{"repository with a space", codeRepoValidator{}, "https://ci:hunter2@github.com/company/crm sync", ok},
		{"repository without a path", codeRepoValidator{}, "https://ci:hunter2@github.com/", ok},
		{"repository shorthand with a password", codeRepoValidator{}, "ci:hunter2@github.com/company/crm-sync", ok},
	} {
		t.Run(tc.name, func(t *testing.T) {
			diags := validateString(tc.v, types.StringValue(tc.value))
			if !diags.HasError() {
				t.Fatal("the URL with a password was accepted")
			}
			for _, d := range diags {
				if strings.Contains(d.Detail(), "hunter2") {
					t.Errorf("the diagnostic repeats the password: %v", d)
				}
			}
		})
	}
}

func TestShownURL(t *testing.T) {
	cases := []struct{ raw, want string }{
		{"https://orders.example.com/hook", "https://orders.example.com/hook"},
		{"ssh://git@github.com/company/crm-sync", "ssh://git@github.com/company/crm-sync"},
		{"https://user:hunter2@example.com/hook", "https://user:xxxxx@example.com/hook"},
		{"https://user:hun@ter2@example.com", "https://user:xxxxx@example.com"},
		{"https://ci:hunter2@github.com/company/crm sync", "https://ci:xxxxx@github.com/company/crm sync"},
		{"https://example.com/a:b@c", "https://example.com/a:b@c"},
		{"https://example.com?q=a:b@c", "https://example.com?q=a:b@c"},
		{"github.com/company/crm-sync", "github.com/company/crm-sync"},
		{"ci:hunter2@example.com/company/crm-sync", "ci:xxxxx@example.com/company/crm-sync"},
		{"git@github.com:company/crm-sync", "git@github.com:company/crm-sync"},
	}
	for _, tc := range cases {
		t.Run(tc.raw, func(t *testing.T) {
			if got := shownURL(tc.raw); got != tc.want {
				t.Errorf("shownURL(%q) = %q, want %q", tc.raw, got, tc.want)
			}
		})
	}
}
