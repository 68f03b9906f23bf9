package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccUsersDataSource(t *testing.T) {
	p := newAccPlatform(t)
	checks := []statecheck.StateCheck{
		// The platform's owner and the two users below.
		statecheck.ExpectKnownValue("data.lowcode_users.all", tfjsonpath.New("users"), knownvalue.ListSizeExact(3)),
		statecheck.ExpectKnownValue("data.lowcode_users.grace", tfjsonpath.New("users"), knownvalue.ListSizeExact(1)),
		statecheck.ExpectKnownValue("data.lowcode_users.nobody", tfjsonpath.New("users"), knownvalue.ListExact([]knownvalue.Check{})),
	}
	checks = append(checks, sameAttributes("data.lowcode_users.grace", firstElement("users"), "lowcode_user.grace", userDataAttributeNames...)...)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: p.config(`
resource "lowcode_user" "ada" {
  email = "ada@example.com"
}

resource "lowcode_user" "grace" {
  email        = "grace@example.com"
  display_name = "Grace Hopper"
  active       = false
}

data "lowcode_users" "all" {
  depends_on = [lowcode_user.ada, lowcode_user.grace]
}

data "lowcode_users" "grace" {
  email = lowcode_user.grace.email
}

data "lowcode_users" "nobody" {
  email = "nobody@example.com"
}`),
			ConfigStateChecks: checks,
		}},
	})
}
