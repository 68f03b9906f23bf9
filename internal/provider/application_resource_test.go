package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

func TestAccApplicationResource(t *testing.T) {
	p := newAccPlatform(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	const addr = "lowcode_application.orders"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("lowcode_application", existsOnPlatform(p.API.GetApplication)),
		Steps: []resource.TestStep{
			{
				Config: p.config(`
resource "lowcode_application" "orders" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^app_[0-9a-f]{32}$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("labels"), knownvalue.MapExact(map[string]knownvalue.Check{})),
				},
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// Update in place: same id, new values.
				Config: p.config(`
resource "lowcode_application" "orders" {
  name        = "order-management"
  environment = "production"
  version     = "2.4.0"
  description = "Orders, from intake to fulfilment"
  labels      = { team = "orders" }
}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("version"), knownvalue.StringExact("2.4.0")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("labels"), knownvalue.MapExact(map[string]knownvalue.Check{
						"team": knownvalue.StringExact("orders"),
					})),
				},
			},
			{
				// Nothing changed: the plan is empty.
				Config: p.config(`
resource "lowcode_application" "orders" {
  name        = "order-management"
  environment = "production"
  version     = "2.4.0"
  description = "Orders, from intake to fulfilment"
  labels      = { team = "orders" }
}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

func TestAccApplicationResource_drift(t *testing.T) {
	p := newAccPlatform(t)
	const addr = "lowcode_application.orders"
	config := p.config(`
resource "lowcode_application" "orders" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
}`)
	ctx := context.Background()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: driftSteps(addr, config,
			func(id string) {
				app, err := p.API.GetApplication(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := p.API.ReplaceApplication(ctx, id, app.Etag, api.ApplicationInput{Name: app.Name,
					Environment: app.Environment, Version: "9.9.9"}); err != nil {
					t.Fatal(err)
				}
			},
			func(id string) {
				if err := p.API.DeleteApplication(ctx, id, ""); err != nil {
					t.Fatal(err)
				}
			},
			plancheck.ExpectKnownValue(addr, tfjsonpath.New("version"), knownvalue.StringExact("2.3.0")),
		),
	})
}

func TestAccApplicationResource_validation(t *testing.T) {
	p := newAccPlatform(t)
	cases := []struct {
		name, body string
		want       *regexp.Regexp
	}{
		{"environment", `name = "a"
  environment = "prod"
  version = "1.0.0"`, regexp.MustCompile(`(?s)Attribute environment value must be one of`)},
		{"version", `name = "a"
  environment = "staging"
  version = "1.0"`, regexp.MustCompile(`(?s)"1.0" is not a semantic version`)},
		{"name", `name = "order management"
  environment = "staging"
  version = "1.0.0"`, regexp.MustCompile(`(?s)Attribute name must be 1-100 letters`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: p.config(`resource "lowcode_application" "bad" {
  ` + tc.body + `
}`),
					PlanOnly:    true,
					ExpectError: tc.want,
				}},
			})
		})
	}
}
