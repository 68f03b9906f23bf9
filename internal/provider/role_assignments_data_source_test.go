package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// roleAssignmentDataAttributeNames are the attributes lowcode_role_assignments shows of each
// assignment, all of which lowcode_role_assignment has too.
var roleAssignmentDataAttributeNames = []string{"id", "user_id", "role", "scope_type", "scope_id", "created_at"}

func TestAccRoleAssignmentsDataSource(t *testing.T) {
	p := newAccPlatform(t)
	checks := []statecheck.StateCheck{
		statecheck.ExpectKnownValue("data.lowcode_role_assignments.ada", tfjsonpath.New("role_assignments"), knownvalue.ListSizeExact(2)),
		statecheck.ExpectKnownValue("data.lowcode_role_assignments.orders_editors", tfjsonpath.New("role_assignments"), knownvalue.ListSizeExact(1)),
		statecheck.ExpectKnownValue("data.lowcode_role_assignments.platform_viewers", tfjsonpath.New("role_assignments"), knownvalue.ListSizeExact(1)),
		statecheck.ExpectKnownValue("data.lowcode_role_assignments.ada_owner", tfjsonpath.New("role_assignments"), knownvalue.ListExact([]knownvalue.Check{})),
	}
	checks = append(checks, sameAttributes("data.lowcode_role_assignments.orders_editors", firstElement("role_assignments"),
		"lowcode_role_assignment.ada_orders", roleAssignmentDataAttributeNames...)...)
	checks = append(checks, sameAttributes("data.lowcode_role_assignments.platform_viewers", firstElement("role_assignments"),
		"lowcode_role_assignment.ada_platform", roleAssignmentDataAttributeNames...)...)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: p.config(orderAppAndUser + `
resource "lowcode_role_assignment" "ada_orders" {
  user_id    = lowcode_user.ada.id
  role       = "editor"
  scope_type = "application"
  scope_id   = lowcode_application.orders.id
}

resource "lowcode_role_assignment" "ada_platform" {
  user_id    = lowcode_user.ada.id
  role       = "viewer"
  scope_type = "platform"
}

data "lowcode_role_assignments" "ada" {
  user_id    = lowcode_user.ada.id
  depends_on = [lowcode_role_assignment.ada_orders, lowcode_role_assignment.ada_platform]
}

data "lowcode_role_assignments" "orders_editors" {
  role       = "editor"
  scope_type = "application"
  scope_id   = lowcode_role_assignment.ada_orders.scope_id
}

data "lowcode_role_assignments" "platform_viewers" {
  role       = "viewer"
  scope_type = "platform"
  depends_on = [lowcode_role_assignment.ada_platform]
}

data "lowcode_role_assignments" "ada_owner" {
  user_id    = lowcode_user.ada.id
  role       = "owner"
  depends_on = [lowcode_role_assignment.ada_orders, lowcode_role_assignment.ada_platform]
}`),
			ConfigStateChecks: checks,
		}},
	})
}

func TestAccRoleAssignmentsDataSource_validation(t *testing.T) {
	p := newAccPlatform(t)
	cases := []struct {
		name, body string
		want       *regexp.Regexp
	}{
		{"role", `role = "superuser"`, regexp.MustCompile(`(?s)Attribute role value must be one of`)},
		{"scope type", `scope_type = "team"`, regexp.MustCompile(`(?s)Attribute scope_type value must be one of`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      p.config(`data "lowcode_role_assignments" "x" {` + "\n  " + tc.body + "\n}"),
					PlanOnly:    true,
					ExpectError: tc.want,
				}},
			})
		})
	}
}
