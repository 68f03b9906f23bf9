package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// grantImportID builds the `user_id/role/scope_type/scope_id` import id of the role assignment
// at addr from the state.
func grantImportID(addr string) resource.ImportStateIdFunc {
	return func(s *terraform.State) (string, error) {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return "", fmt.Errorf("%s is not in the state", addr)
		}
		a := rs.Primary.Attributes
		return roleAssignmentGrant{UserID: a["user_id"], Role: api.Role(a["role"]),
			ScopeType: api.ScopeType(a["scope_type"]), ScopeID: a["scope_id"]}.String(), nil
	}
}

// orderAppAndUser is a user and the order-management application, for role assignments.
const orderAppAndUser = `
resource "lowcode_user" "ada" {
  email = "ada@example.com"
}

resource "lowcode_application" "orders" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
}
`

func TestAccRoleAssignmentResource(t *testing.T) {
	p := newAccPlatform(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	newID := statecheck.CompareValue(compare.ValuesDiffer())
	const addr = "lowcode_role_assignment.ada_orders"
	assignment := func(role, extra string) string {
		return p.config(orderAppAndUser + `
resource "lowcode_role_assignment" "ada_orders" {
  user_id    = lowcode_user.ada.id
  role       = "` + role + `"
  scope_type = "application"
  scope_id   = lowcode_application.orders.id
` + extra + `
}`)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("lowcode_role_assignment", existsOnPlatform(p.API.GetRoleAssignment)),
		Steps: []resource.TestStep{
			{
				Config: assignment("editor", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					newID.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^ra_[0-9a-f]{32}$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("role"), knownvalue.StringExact("editor")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("scope_type"), knownvalue.StringExact("application")),
					statecheck.CompareValuePairs(addr, tfjsonpath.New("user_id"), "lowcode_user.ada", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs(addr, tfjsonpath.New("scope_id"), "lowcode_application.orders", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.NotNull()),
				},
			},
			{
				// Import by id.
				ResourceName:            addr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// Import by user_id/role/scope_type/scope_id.
				ResourceName:            addr,
				ImportState:             true,
				ImportStateIdFunc:       grantImportID(addr),
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// Only timeouts changed: recorded in place, nothing revoked.
				Config: assignment("editor", `  timeouts = { create = "10m" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(addr, tfjsonpath.New("id"))},
			},
			{
				// Nothing changed: the plan is empty.
				Config:           assignment("editor", `  timeouts = { create = "10m" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// A new role cannot be set in place: the assignment is replaced.
				Config: assignment("viewer", `  timeouts = { create = "10m" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					newID.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("role"), knownvalue.StringExact("viewer")),
				},
			},
		},
	})
}

func TestAccRoleAssignmentResource_platformScope(t *testing.T) {
	p := newAccPlatform(t)
	const addr = "lowcode_role_assignment.ada_admin"
	config := p.config(orderAppAndUser + `
resource "lowcode_role_assignment" "ada_admin" {
  user_id    = lowcode_user.ada.id
  role       = "admin"
  scope_type = "platform"
}`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("lowcode_role_assignment", existsOnPlatform(p.API.GetRoleAssignment)),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("scope_type"), knownvalue.StringExact("platform")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("scope_id"), knownvalue.Null()),
				},
			},
			{
				// Import by user_id/role/platform.
				ResourceName:            addr,
				ImportState:             true,
				ImportStateIdFunc:       grantImportID(addr),
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}

// TestAccRoleAssignmentResource_drift: an assignment revoked behind Terraform's back is
// planned for creation again. (An assignment is only granted or revoked, never changed in
// place, so there is no in-place drift to undo.)
func TestAccRoleAssignmentResource_drift(t *testing.T) {
	p := newAccPlatform(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: driftSteps("lowcode_role_assignment.ada_admin", p.config(orderAppAndUser+`
resource "lowcode_role_assignment" "ada_admin" {
  user_id    = lowcode_user.ada.id
  role       = "admin"
  scope_type = "platform"
}`), nil, func(id string) {
			if err := p.API.DeleteRoleAssignment(context.Background(), id, ""); err != nil {
				t.Fatal(err)
			}
		}),
	})
}

func TestAccRoleAssignmentResource_importErrors(t *testing.T) {
	p := newAccPlatform(t)
	userID, _ := p.NewUser("grace@example.com")
	cases := []struct {
		name, id string
		want     *regexp.Regexp
	}{
		{"malformed", userID + "/editor", regexp.MustCompile("(?s)Invalid import id for lowcode_role_assignment.*has 2 parts separated by `/`")},
		{"platform with id", userID + "/editor/platform/app_1", regexp.MustCompile(`(?s)gives\s+the\s+platform\s+scope\s+an\s+id,\s+but\s+it\s+has\s+none`)},
		{"no such grant", userID + "/owner/platform", regexp.MustCompile(`(?s)Cannot import role assignment.*No role assignment gives user\s+` + userID + `\s+the\s+owner\s+role\s+at\s+the\s+platform`)},
		{"no such id", "ra_00000000000000000000000000000000", regexp.MustCompile(`(?s)Cannot import non-existent remote object`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: p.config(`
resource "lowcode_role_assignment" "imported" {
  user_id    = "` + userID + `"
  role       = "owner"
  scope_type = "platform"
}`),
					ResourceName:  "lowcode_role_assignment.imported",
					ImportState:   true,
					ImportStateId: tc.id,
					ExpectError:   tc.want,
				}},
			})
		})
	}
}

// TestAccRoleAssignmentResource_duplicate shows the advice a user gets for a grant that exists.
func TestAccRoleAssignmentResource_duplicate(t *testing.T) {
	p := newAccPlatform(t)
	userID, _ := p.NewUser("grace@example.com", platformtest.Grant{Role: api.Viewer, ScopeType: api.ScopeTypePlatform})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: p.config(`
resource "lowcode_role_assignment" "grace" {
  user_id    = "` + userID + `"
  role       = "viewer"
  scope_type = "platform"
}`),
			ExpectError: regexp.MustCompile(`(?s)Error creating role assignment.*HTTP\s+409\s+Conflict.*The user already has this role at this scope.*terraform\s+import.*ra_[0-9a-f]{32}`),
		}},
	})
}

func TestAccRoleAssignmentResource_validation(t *testing.T) {
	p := newAccPlatform(t)
	cases := []struct {
		name, role, scope string
		want              *regexp.Regexp
	}{
		{"scope id missing", "editor", `scope_type = "application"`,
			regexp.MustCompile(`(?s)Missing scope_id.*scope_id is required when scope_type is\s+"application"`)},
		{"scope id on platform", "editor", `scope_type = "platform"
  scope_id   = "app_1"`, regexp.MustCompile(`(?s)Unexpected scope_id.*scope_id must not be set when scope_type is\s+"platform"`)},
		{"scope id of another kind", "editor", `scope_type = "workflow"
  scope_id   = "app_1"`, regexp.MustCompile(`(?s)Invalid scope_id.*scope_id "app_1" is not the id of a workflow.*must start\s+with\s+wf_`)},
		{"an application's scope id of another kind", "editor", `scope_type = "application"
  scope_id   = "wf_1"`, regexp.MustCompile(`(?s)Invalid scope_id.*scope_id "wf_1" is not the id of an\s+application.*must\s+start\s+with\s+app_`)},
		{"role", "superuser", `scope_type = "platform"`, regexp.MustCompile(`(?s)Attribute role value must be one of`)},
		{"scope type", "editor", `scope_type = "team"`, regexp.MustCompile(`(?s)Attribute scope_type value must be one of`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: p.config(`resource "lowcode_role_assignment" "bad" {
  user_id    = "usr_1"
  role       = "` + tc.role + `"
  ` + tc.scope + `
}`),
					PlanOnly:    true,
					ExpectError: tc.want,
				}},
			})
		})
	}
}

// TestRoleAssignmentUpdateRefusesChanges calls Update directly with a plan that changes the
// role, which the RequiresReplace plan modifiers never let Terraform do: it must fail loudly.
func TestRoleAssignmentUpdateRefusesChanges(t *testing.T) {
	ctx := context.Background()
	r := NewRoleAssignmentResource()
	var schemaResp fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &schemaResp)
	sch := schemaResp.Schema
	nullTimeouts := timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"create": types.StringType, "delete": types.StringType})}
	model := func(role string) roleAssignmentModel {
		return roleAssignmentModel{roleAssignmentFields: roleAssignmentFields{ID: types.StringValue("ra_1"), UserID: types.StringValue("usr_1"),
			Role: types.StringValue(role), ScopeType: types.StringValue("platform"), ScopeID: types.StringNull(), ETag: types.StringValue("e1"),
			CreatedAt: types.StringValue("2026-03-01T00:00:00Z")}, Timeouts: nullTimeouts}
	}
	raw := tftypes.NewValue(sch.Type().TerraformType(ctx), nil)
	state := tfsdk.State{Schema: sch, Raw: raw}
	plan := tfsdk.Plan{Schema: sch, Raw: raw}
	if d := state.Set(ctx, model("viewer")); d.HasError() {
		t.Fatal(d)
	}
	if d := plan.Set(ctx, model("admin")); d.HasError() {
		t.Fatal(d)
	}
	resp := fwresource.UpdateResponse{State: state}
	r.Update(ctx, fwresource.UpdateRequest{Plan: plan, State: state}, &resp)
	if !resp.Diagnostics.HasError() {
		t.Fatal("Update accepted a change of role; want an error")
	}
	detail := resp.Diagnostics.Errors()[0].Detail()
	if !strings.Contains(detail, "role assignments cannot be changed in place; this is a provider bug if you see it") {
		t.Errorf("Update's error detail = %q", detail)
	}
}
