package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

// existsOnPlatform turns a client getter into the exists function checkDestroyed needs:
//
//	checkDestroyed("lowcode_webhook", existsOnPlatform(p.API.GetWebhook))
func existsOnPlatform[T any](get func(context.Context, string) (T, error)) func(id string) (bool, error) {
	return func(id string) (bool, error) {
		_, err := get(context.Background(), id)
		if errors.Is(err, client.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
}

// captureID saves a resource's id from state for later PreConfig functions.
func captureID(addr string, id *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s is not in state", addr)
		}
		*id = rs.Primary.ID
		return nil
	}
}

// driftSteps are the drift test every resource has: create config; change the object behind
// Terraform's back (change gets its id) and expect an in-place update back; delete it behind
// Terraform's back (remove) and expect it created again; both settle to an empty plan.
// updateChecks are further checks of the update's plan. change is nil for an object that
// cannot be changed in place (a role assignment is only granted or revoked).
func driftSteps(addr, config string, change, remove func(id string), updateChecks ...plancheck.PlanCheck) []resource.TestStep {
	var id string
	steps := []resource.TestStep{{Config: config, Check: captureID(addr, &id)}}
	if change != nil {
		steps = append(steps, resource.TestStep{
			PreConfig: func() { change(id) },
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             append([]plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}, updateChecks...),
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		})
	}
	return append(steps, resource.TestStep{
		PreConfig: func() { remove(id) },
		Config:    config,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
	})
}

// planErrorCase is a configuration that must fail at plan time with the message a user sees.
type planErrorCase struct {
	name, config string
	want         *regexp.Regexp
}

// expectPlanErrors runs each case as its own plan-only test against p.
func expectPlanErrors(t *testing.T, p *accPlatform, cases []planErrorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: p.config(tc.config), PlanOnly: true, ExpectError: tc.want}},
			})
		})
	}
}

// inBlock wraps each case's config, an attribute list, in a block such as
// `resource "lowcode_webhook" "bad"`.
func inBlock(header string, cases []planErrorCase) []planErrorCase {
	out := make([]planErrorCase, len(cases))
	for i, tc := range cases {
		tc.config = header + " {\n  " + tc.config + "\n}"
		out[i] = tc
	}
	return out
}

// phrase matches text as Terraform prints it: the CLI wraps long diagnostics, so any run of
// spaces may have become a line break.
func phrase(text string) *regexp.Regexp {
	words := strings.Fields(text)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(words, `\s+`))
}
