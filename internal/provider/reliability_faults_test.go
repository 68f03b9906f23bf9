package provider

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/faultproxy"
)

// TestAccReliability_faultyNetwork applies 200 resources through a proxy that answers 20% of
// the API requests with 429 (Retry-After), 503 or a connection dropped after the server
// committed the write, with added latency. The provider's retries must absorb all of it: the
// apply succeeds, the platform holds exactly the 200 objects (a retried create that had
// already committed is replayed by its Idempotency-Key, not made twice), and the next plan
// is empty.
func TestAccReliability_faultyNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("applies 200 resources")
	}
	p := newAccPlatform(t)
	proxy := faultproxy.Start(t, p.URL, faultproxy.Config{
		Seed:           20240611,
		FaultRate:      0.20,
		SlowRetryAfter: 0.05,
		MaxLatency:     5 * time.Millisecond,
	})
	config := fmt.Sprintf(`
provider "lowcode" {
  endpoint    = %q
  api_key     = %q
  max_retries = 12
}
`, proxy.URL, p.OwnerKey) + fleet200.HCL("")
	ctx := context.Background()
	start := time.Now()

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(*terraform.State) error {
					st := proxy.Stats()
					t.Logf("apply through the fault proxy took %s: %s", time.Since(start).Round(time.Millisecond), st)
					if st.Dropped == 0 || st.TooManyRequests == 0 || st.Unavailable == 0 {
						return fmt.Errorf("the plan injected too few faults to prove anything: %s", st)
					}
					if st.RepeatedKeys == 0 || st.Replayed == 0 {
						return fmt.Errorf("no write was retried and replayed: %s", st)
					}
					got := requireFleet(t, ctx, p.API, fleet200)
					if got.Total() != fleet200.Total() {
						return fmt.Errorf("the platform holds %s, want %d objects", got, fleet200.Total())
					}
					return nil
				},
			},
			{
				// Still through the faulty proxy: refresh and plan must find nothing to do.
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
	t.Logf("in all: %s", proxy.Stats())
}
