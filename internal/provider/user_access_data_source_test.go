package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

func TestAccUserAccessDataSource(t *testing.T) {
	p := newAccPlatform(t)
	const ds = "data.lowcode_user_access.ada"
	assignments := `
resource "lowcode_role_assignment" "ada_platform" {
  user_id    = lowcode_user.ada.id
  role       = "viewer"
  scope_type = "platform"
}
`
	orders := `
resource "lowcode_role_assignment" "ada_orders" {
  user_id    = lowcode_user.ada.id
  role       = "editor"
  scope_type = "application"
  scope_id   = lowcode_application.orders.id
}
`
	access := `
data "lowcode_user_access" "ada" {
  user_id    = lowcode_user.ada.id
  depends_on = [lowcode_role_assignment.ada_platform]
}
`
	// The revoked assignment's id, seen in state before and in the history after.
	revokedID := statecheck.CompareValue(compare.ValuesSame())
	var userID, appID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: p.config(orderAppAndUser + assignments + orders + `
data "lowcode_user_access" "ada" {
  user_id    = lowcode_user.ada.id
  depends_on = [lowcode_role_assignment.ada_platform, lowcode_role_assignment.ada_orders]
}`),
				Check: resource.ComposeTestCheckFunc(captureID("lowcode_user.ada", &userID), captureID("lowcode_application.orders", &appID)),
				ConfigStateChecks: []statecheck.StateCheck{
					revokedID.AddStateValue("lowcode_role_assignment.ada_orders", tfjsonpath.New("id")),
					statecheck.CompareValuePairs(ds, tfjsonpath.New("user_id"), "lowcode_user.ada", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("grants"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("history"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("history").AtSliceIndex(0).AtMapKey("action"), knownvalue.StringExact("granted")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("history").AtSliceIndex(1).AtMapKey("action"), knownvalue.StringExact("granted")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("history").AtSliceIndex(0).AtMapKey("actor_id"),
						knownvalue.StringRegexp(regexp.MustCompile(`^usr_`))),
				},
			},
			{
				// Revoked through the platform's revoke-access at the application scope; the
				// configuration lets the assignment go, and the history keeps it.
				PreConfig: func() {
					out, err := p.API.RevokeUserAccess(context.Background(), userID,
						api.RevokeAccessRequest{Scope: &api.Scope{Type: api.ScopeTypeApplication, ID: &appID}})
					if err != nil {
						t.Fatal(err)
					}
					if len(out.Revoked) != 1 {
						t.Fatalf("revoke-access revoked %v, want the one application assignment", out.Revoked)
					}
				},
				Config: p.config(orderAppAndUser + assignments + access),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("grants"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"role_assignment_id": knownvalue.StringRegexp(regexp.MustCompile(`^ra_`)),
							"role":               knownvalue.StringExact("viewer"),
							"scope_type":         knownvalue.StringExact("platform"),
							"scope_id":           knownvalue.Null(),
						}),
					})),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("history"), knownvalue.ListSizeExact(3)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("history").AtSliceIndex(0).AtMapKey("action"), knownvalue.StringExact("revoked")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("history").AtSliceIndex(0).AtMapKey("role"), knownvalue.StringExact("editor")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("history").AtSliceIndex(0).AtMapKey("scope_type"), knownvalue.StringExact("application")),
					revokedID.AddStateValue(ds, tfjsonpath.New("history").AtSliceIndex(0).AtMapKey("role_assignment_id")),
				},
			},
		},
	})
}
