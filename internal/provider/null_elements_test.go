package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// A null inside any collection attribute (a variable that is null, say) is refused at plan
// with an error that names the attribute and the key or position, never a conversion error at
// apply. Lists of nested objects (steps, transform set) are refused by Terraform itself, which
// names the position and the attribute a null object lacks; the provider refuses nulls in
// maps, sets and lists of strings (validators_collections.go).
func TestAccNullElements(t *testing.T) {
	p := newAccPlatform(t)
	const app = `
resource "lowcode_application" "orders" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
}
`
	cases := []struct {
		name, config, want string
	}{
		{"application labels", `
resource "lowcode_application" "under_test" {
  name        = "labelled"
  environment = "production"
  version     = "1.0.0"
  labels      = { team = "orders", "cost-center" = var.maybe }
}`, `Null value in labels.*labels has no value at key "cost-center"`},
		{"http step headers", app + `
resource "lowcode_workflow" "under_test" {
  application_id = lowcode_application.orders.id
  name           = "crm-sync"
  version        = "1.0.0"
  trigger        = { type = "manual" }
  steps = [{
    name = "sync", type = "http"
    http = { method = "POST", url = "https://crm.example.com/orders", headers = { "X-Tenant" = var.maybe } }
  }]
}`, `Null value in steps\[0\]\.http\.headers.*has no value at key "X-Tenant"`},
		{"workflow steps", app + `
resource "lowcode_workflow" "under_test" {
  application_id = lowcode_application.orders.id
  name           = "order-fulfillment"
  version        = "1.0.0"
  trigger        = { type = "manual" }
  steps          = [{ name = "check", type = "validate", validate = { expression = "true", message = "never" } }, var.maybe_step]
}`, `Missing Configuration for Required Attribute.*steps\[1\]\.(name|type)`},
		{"transform set", app + `
resource "lowcode_workflow" "under_test" {
  application_id = lowcode_application.orders.id
  name           = "order-fulfillment"
  version        = "1.0.0"
  trigger        = { type = "manual" }
  steps          = [{ name = "enrich", type = "transform", transform = { set = [var.maybe_assignment] } }]
}`, `Missing Configuration for Required Attribute.*steps\[0\]\.transform\.set\[0\]\.(field|expression)`},
		{"classification field patterns", `
resource "lowcode_classification_policy" "under_test" {
  name           = "customer-contact"
  level          = "confidential"
  encryption     = "at-rest+transit"
  access         = "role-based"
  field_patterns = ["customer.email", var.maybe]
}`, `Null element in field_patterns.*field_patterns has a null element at index 1`},
		{"webhook event types", `
resource "lowcode_webhook" "under_test" {
  event_types  = ["order.created", var.maybe]
  callback_url = "https://orders.example.com/webhooks/lowcode"
}`, `Null element in event_types.*event_types has a null element`},
	}
	const variables = `
variable "maybe" {
  type    = string
  default = null
}

variable "maybe_step" {
  type = object({
    name     = string
    type     = string
    validate = object({ expression = string, message = string })
  })
  default = null
}

variable "maybe_assignment" {
  type    = object({ field = string, expression = string })
  default = null
}
`
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      p.config(variables + tc.config),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)` + strings.ReplaceAll(tc.want, " ", `\s+`)),
				}},
			})
		})
	}
}
