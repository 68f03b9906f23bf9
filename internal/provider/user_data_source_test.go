package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// userDataAttributeNames are the attributes the user data sources share with lowcode_user.
var userDataAttributeNames = []string{"id", "email", "display_name", "active", "created_at", "updated_at"}

// sameAttributes checks that each named attribute of the object at addrA (found at at(name))
// equals the same attribute of the resource at addrB: a data source read back against the
// resource that created the object.
func sameAttributes(addrA string, at func(name string) tfjsonpath.Path, addrB string, names ...string) []statecheck.StateCheck {
	checks := make([]statecheck.StateCheck, 0, len(names))
	for _, n := range names {
		checks = append(checks, statecheck.CompareValuePairs(addrA, at(n), addrB, tfjsonpath.New(n), compare.ValuesSame()))
	}
	return checks
}

// firstElement finds the attributes of the first object of the list attribute named list.
func firstElement(list string) func(name string) tfjsonpath.Path {
	return func(name string) tfjsonpath.Path { return tfjsonpath.New(list).AtSliceIndex(0).AtMapKey(name) }
}

func TestAccUserDataSource(t *testing.T) {
	p := newAccPlatform(t)
	checks := append(sameAttributes("data.lowcode_user.by_id", tfjsonpath.New, "lowcode_user.ada", userDataAttributeNames...),
		sameAttributes("data.lowcode_user.by_email", tfjsonpath.New, "lowcode_user.ada", userDataAttributeNames...)...)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: p.config(`
resource "lowcode_user" "ada" {
  email        = "ada@example.com"
  display_name = "Ada Lovelace"
}

data "lowcode_user" "by_id" {
  id = lowcode_user.ada.id
}

data "lowcode_user" "by_email" {
  # Emails are compared regardless of case.
  email      = "ADA@example.com"
  depends_on = [lowcode_user.ada]
}`),
			ConfigStateChecks: checks,
		}},
	})
}

func TestAccUserDataSource_errors(t *testing.T) {
	p := newAccPlatform(t)
	cases := []struct {
		name, body string
		want       *regexp.Regexp
	}{
		{"neither", ``, regexp.MustCompile(`(?s)Missing Attribute Configuration.*Exactly one of these attributes must be configured: \[id,email\]`)},
		{"both", `id = "usr_1"
  email = "ada@example.com"`, regexp.MustCompile(`(?s)Invalid Attribute Combination.*Exactly one of these attributes must be configured: \[id,email\]`)},
		{"no such id", `id = "usr_00000000000000000000000000000000"`, regexp.MustCompile(`(?s)User not found.*There is no user with id\s+"usr_00000000000000000000000000000000"`)},
		{"no such email", `email = "nobody@example.com"`, regexp.MustCompile(`(?s)User not found.*Expected one user with email "nobody@example.com" on\s+the\s+platform,\s+found\s+0`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: p.config(`data "lowcode_user" "x" {
  ` + tc.body + `
}`),
					ExpectError: tc.want,
				}},
			})
		})
	}
}
