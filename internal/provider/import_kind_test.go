package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// Importing the id of one kind of object into a resource of another kind says which resource
// the id belongs to, instead of the generic "Cannot import non-existent remote object".
func TestAccImport_wrongKindOfID(t *testing.T) {
	p := newAccPlatform(t)
	config := p.config(`
resource "lowcode_application" "orders" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
}

resource "lowcode_workflow" "fulfillment" {
  application_id = lowcode_application.orders.id
  name           = "order-fulfillment"
  version        = "1.5.2"
  trigger        = { type = "manual" }
  steps          = [{ name = "check-amount", type = "validate", validate = { expression = "amount <= 10000", message = "Amount exceeds limit" } }]
}
`)
	phrase := func(s string) *regexp.Regexp {
		return regexp.MustCompile(`(?s)` + strings.ReplaceAll(regexp.QuoteMeta(s), " ", `\s+`))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				Config: config, ResourceName: "lowcode_application.orders", ImportState: true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return s.RootModule().Resources["lowcode_workflow.fulfillment"].Primary.ID, nil
				},
				ExpectError: phrase("is the id of a workflow, not of an application (those start with app_). Import it into a lowcode_workflow resource instead."),
			},
			{
				Config: config, ResourceName: "lowcode_application.orders", ImportState: true, ImportStateId: "order-management",
				ExpectError: phrase(`"order-management" is not the id of an application: those start with app_.`),
			},
		},
	})
}
