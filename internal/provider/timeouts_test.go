package provider

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

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
