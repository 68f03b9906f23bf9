package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

var roleAssignmentAttributeNames = []string{"id", "user_id", "role", "scope_type", "scope_id", "etag", "created_at"}

func TestAccRoleAssignmentDataSource(t *testing.T) {
	p := newAccPlatform(t)
	checks := append(
		sameAttributes("data.lowcode_role_assignment.by_id", tfjsonpath.New, "lowcode_role_assignment.ada_orders", roleAssignmentAttributeNames...),
		sameAttributes("data.lowcode_role_assignment.by_grant", tfjsonpath.New, "lowcode_role_assignment.ada_orders", roleAssignmentAttributeNames...)...)
	checks = append(checks, sameAttributes("data.lowcode_role_assignment.platform", tfjsonpath.New, "lowcode_role_assignment.ada_platform", roleAssignmentAttributeNames...)...)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: p.config(oneOfEachResource + `
resource "lowcode_role_assignment" "ada_platform" {
  user_id    = lowcode_user.ada.id
  role       = "viewer"
  scope_type = "platform"
}

data "lowcode_role_assignment" "by_id" {
  id = lowcode_role_assignment.ada_orders.id
}

data "lowcode_role_assignment" "by_grant" {
  user_id    = lowcode_user.ada.id
  role       = "editor"
  scope_type = "application"
  scope_id   = lowcode_application.orders.id
  depends_on = [lowcode_role_assignment.ada_orders]
}

data "lowcode_role_assignment" "platform" {
  user_id    = lowcode_user.ada.id
  role       = "viewer"
  scope_type = "platform"
  depends_on = [lowcode_role_assignment.ada_platform]
}`),
			ConfigStateChecks: checks,
		}},
	})
}

func TestAccRoleAssignmentDataSource_errors(t *testing.T) {
	p := newAccPlatform(t)
	cases := []struct {
		name, body string
		want       *regexp.Regexp
	}{
		{"neither", ``, regexp.MustCompile(`(?s)Exactly one of these attributes must be configured: \[id,user_id\]`)},
		{"grant without role", `user_id = "usr_1"
  scope_type = "platform"`, regexp.MustCompile(`(?s)These attributes must be configured together: \[user_id,role,scope_type\]`)},
		{"bad role", `user_id = "usr_1"
  role = "superuser"
  scope_type = "platform"`, regexp.MustCompile(`(?s)Attribute role value must be one of`)},
		{"platform with an id", `user_id = "usr_1"
  role = "viewer"
  scope_type = "platform"
  scope_id = "app_1"`, regexp.MustCompile(`(?s)Invalid scope_id.*The platform scope has no id`)},
		{"application without an id", `user_id = "usr_1"
  role = "viewer"
  scope_type = "application"`, regexp.MustCompile(`(?s)Missing scope_id.*needs the id of the object in scope_id`)},
		{"no such id", `id = "ra_00000000000000000000000000000000"`,
			regexp.MustCompile(`(?s)Role assignment not found.*There is no role assignment with id\s+"ra_00000000000000000000000000000000"`)},
		{"no such grant", `user_id = "usr_00000000000000000000000000000000"
  role = "viewer"
  scope_type = "platform"`,
			regexp.MustCompile(`(?s)Role assignment not found.*Expected one role assignment making the grant\s+usr_00000000000000000000000000000000/viewer/platform on the platform, found\s+0`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      p.config(`data "lowcode_role_assignment" "x" {` + "\n  " + tc.body + "\n}"),
					ExpectError: tc.want,
				}},
			})
		})
	}
}
