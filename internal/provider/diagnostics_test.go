package provider

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

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

// withTimeout bounds the context by the configured timeout, or reports why it cannot.
func TestWithTimeout(t *testing.T) {
	configured := func(d time.Duration) func(context.Context, time.Duration) (time.Duration, diag.Diagnostics) {
		return func(context.Context, time.Duration) (time.Duration, diag.Diagnostics) { return d, nil }
	}
	unset := func(_ context.Context, def time.Duration) (time.Duration, diag.Diagnostics) { return def, nil }
	broken := func(context.Context, time.Duration) (time.Duration, diag.Diagnostics) {
		var d diag.Diagnostics
		d.AddError("Invalid timeout", "not a duration")
		return 0, d
	}
	cases := []struct {
		name string
		get  func(context.Context, time.Duration) (time.Duration, diag.Diagnostics)
		want time.Duration // 0: not ok
	}{
		{"configured", configured(2 * time.Second), 2 * time.Second},
		{"default", unset, 3 * time.Minute},
		{"unreadable", broken, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var diags diag.Diagnostics
			ctx, cancel, ok := withTimeout(context.Background(), tc.get, 3*time.Minute, &diags)
			defer cancel()
			if ok != (tc.want > 0) || diags.HasError() == ok {
				t.Fatalf("ok %v, diagnostics %v", ok, diags)
			}
			if !ok {
				return
			}
			deadline, has := ctx.Deadline()
			if left := time.Until(deadline); !has || left > tc.want || left < tc.want-time.Second {
				t.Errorf("deadline in %v, want about %v", left, tc.want)
			}
		})
	}
}
