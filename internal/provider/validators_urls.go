package provider

// Validators of URLs: webhook callbacks, http step targets and custom integrations' code
// repositories, each accepting what the platform accepts.

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// httpURLValidator accepts what the platform accepts as a callback: an absolute http:// or
// https:// URL without credentials. (Whether the server may call the address is the server's
// SSRF policy, checked on apply.)
type httpURLValidator struct{}

func (httpURLValidator) Description(context.Context) string {
	return "must be an absolute http:// or https:// URL without credentials"
}

func (v httpURLValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (httpURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL",
			fmt.Sprintf("%q is not an absolute http:// or https:// URL, such as https://orders.example.com/webhooks/lowcode.", shownURL(raw)))
	case u.User != nil:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL",
			"The URL carries credentials (user:password@); the platform refuses them. Authenticate the receiver with "+
				"the webhook's signature instead.")
	}
}

// repoPathPattern is the host/owner/repo shorthand the platform accepts: a dotted host name
// (optional port), then two or more path segments (GitLab groups nest).
var repoPathPattern = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}(:[0-9]{1,5})?(/[A-Za-z0-9._~-]+){2,}$`)

// codeRepoValidator accepts what the platform accepts as an integration's code location: a URL
// git can clone (https, http, ssh or git, with a host and a path, no password) or
// host/owner/repo such as github.com/company/crm-sync.
type codeRepoValidator struct{}

func (codeRepoValidator) Description(context.Context) string {
	return "must be a repository URL (https://, http://, ssh:// or git://) or host/owner/repo such as github.com/company/crm-sync"
}

func (v codeRepoValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v codeRepoValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	fail := func(what string) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid code repository", fmt.Sprintf("%q %s; the value %s.", shownURL(raw), what, v.Description(ctx)))
	}
	if strings.ContainsAny(raw, " \t\r\n") {
		fail("contains spaces")
		return
	}
	scheme, _, isURL := strings.Cut(raw, "://")
	if !isURL {
		if !repoPathPattern.MatchString(raw) {
			fail("is not a repository location")
		}
		return
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || !slices.Contains([]string{"https", "http", "ssh", "git"}, strings.ToLower(scheme)):
		fail("is not a repository URL git can clone")
	case u.Host == "" || strings.Trim(u.Path, "/") == "":
		fail("names no host or no repository path")
	default:
		if _, hasPassword := u.User.Password(); hasPassword {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid code repository",
				"The repository URL carries a password, which every reader of the integration would see. Leave it out.")
		}
	}
}

// stepURLValidator is httpURLValidator with advice for http steps: credentials go in headers.
type stepURLValidator struct{ httpURLValidator }

func (v stepURLValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if stringIsSet(req.ConfigValue) {
		if u, err := url.Parse(req.ConfigValue.ValueString()); err == nil && u.User != nil && u.Host != "" {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL",
				fmt.Sprintf("%s carries credentials (user:password@); the platform refuses them. Send them in `headers` "+
					"instead, such as `Authorization = \"Bearer ...\"`.", req.Path))
			return
		}
	}
	v.httpURLValidator.ValidateString(ctx, req, resp)
}

// shownURL is raw as an error message may quote it: the password of a user:password@ in it is
// replaced by xxxxx (as url.URL.Redacted does, but also for a URL that does not parse). The
// value may come from a sensitive variable, and plan output ends up in CI logs.
func shownURL(raw string) string {
	start, end := 0, len(raw) // without a scheme, as in user:password@host/owner/repo
	if i := strings.Index(raw, "://"); i >= 0 {
		start = i + len("://")
	}
	if j := strings.IndexAny(raw[start:], "/?#"); j >= 0 {
		end = start + j
	}
	at := strings.LastIndex(raw[start:end], "@")
	if at < 0 {
		return raw
	}
	user, _, hasPassword := strings.Cut(raw[start:start+at], ":")
	if !hasPassword {
		return raw
	}
	return raw[:start] + user + ":xxxxx" + raw[start+at:]
}
