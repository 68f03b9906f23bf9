package provider

import (
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

// apiErrorDiag's summary and advice follow the operation it is told, not the summary's text.
func TestAPIErrorDiag(t *testing.T) {
	apiErr := func(status int, problemType string) error {
		return &client.APIError{StatusCode: status, Problem: api.Problem{Status: status, Type: problemType, Title: "x"}}
	}
	cases := []struct {
		name        string
		op          operation
		err         error
		summary     string
		wantAdvice  string
		notExpected string
	}{
		{"a conflict on create is a duplicate to import", opCreate, apiErr(409, "https://lowcode.dev/problems/conflict"),
			"Error creating application", "terraform import", "refused the change"},
		{"a conflict on update is the platform refusing", opUpdate, apiErr(409, "https://lowcode.dev/problems/conflict"),
			"Error updating application", "refused the change", "terraform import"},
		{"outside the key's scope keeps the object in state", opRead, apiErr(403, "https://lowcode.dev/problems/forbidden-scope"),
			"Error reading application", "Terraform keeps it in state", "Ask a platform admin"},
		{"a plain 403 asks for a role", opUpdate, apiErr(403, "https://lowcode.dev/problems/forbidden"),
			"Error updating application", "Ask a platform admin", "keeps it in state"},
		{"a lost create answer is kept as tainted", opCreate, &client.OutcomeUnknownError{ID: "app_1", Err: errors.New("EOF")},
			"Error creating application", "marked tainted", "terraform import"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var diags diag.Diagnostics
			apiErrorDiag(&diags, tc.op, "application", "application app_1", tc.err)
			if len(diags) != 1 {
				t.Fatalf("diagnostics %v", diags)
			}
			d := diags[0]
			if d.Summary() != tc.summary || !strings.Contains(d.Detail(), tc.wantAdvice) || strings.Contains(d.Detail(), tc.notExpected) {
				t.Errorf("summary %q, detail %q; want %q with %q and without %q", d.Summary(), d.Detail(), tc.summary, tc.wantAdvice, tc.notExpected)
			}
		})
	}
}
