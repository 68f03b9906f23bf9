package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/faultproxy"
)

// TestAccReliability_lostCreateAcrossApplies drops every answer to each resource type's create
// after the platform committed it, until the provider's retries run out and the apply fails.
// The next apply, with the network healthy, must not make a second object: the platform holds
// exactly one object of the type, the one in state, and the plan after it is empty. (Retries
// within one apply reuse the Idempotency-Key; across applies, the provider finds the object by
// the id it chose before sending, which it kept in state; see createOutcomeUnknown.)
func TestAccReliability_lostCreateAcrossApplies(t *testing.T) {
	for _, tc := range createCases() {
		t.Run(tc.resourceType, func(t *testing.T) {
			p := newAccPlatform(t)
			var failing atomic.Bool
			failing.Store(true)
			proxy := faultproxy.Start(t, p.URL, faultproxy.Config{
				Decide: func(_ int, r *http.Request) (faultproxy.Fault, bool) {
					if failing.Load() && r.Method == tc.method && tc.path.MatchString(r.URL.Path) {
						return faultproxy.DropAfterCommit, true
					}
					return faultproxy.Pass, true
				},
			})
			config := fmt.Sprintf(`
provider "lowcode" {
  endpoint    = %q
  api_key     = %q
  max_retries = 1
}
`, proxy.URL, p.OwnerKey) + tc.config
			addr := tc.resourceType + ".under_test"

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config:      config,
						ExpectError: regexp.MustCompile(`(?s)Error creating.*may\s+have\s+created`),
					},
					{
						PreConfig: func() { failing.Store(false) },
						Config:    config,
						ConfigStateChecks: []statecheck.StateCheck{
							tc.keyCheck,
							heldOne{addr: addr, keyAttr: tc.keyAttr, api: p.API, list: tc.list},
						},
					},
					{
						Config:           config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					},
				},
			})
			t.Logf("proxy: %s", proxy.Stats())
		})
	}
}
