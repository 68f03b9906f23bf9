package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccClassificationDataSource(t *testing.T) {
	p := newAccPlatform(t)
	const platformWide, withApp = "data.lowcode_classification.order", "data.lowcode_classification.order_in_app"
	field := func(path, level, pattern string) knownvalue.Check {
		return knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"path":    knownvalue.StringExact(path),
			"level":   knownvalue.StringExact(level),
			"pattern": knownvalue.StringExact(pattern),
		})
	}
	// The policy that decided each field, by its index in the platform-wide result.
	decidedBy := func(ds string, i int, policy string) statecheck.StateCheck {
		return statecheck.CompareValuePairs(ds, tfjsonpath.New("fields").AtSliceIndex(i).AtMapKey("policy_id"),
			"lowcode_classification_policy."+policy, tfjsonpath.New("id"), compare.ValuesSame())
	}
	record := `jsonencode({
    order_id = "ord-1001"
    amount   = 12500
    customer = {
      email       = "ada@example.com"
      phone       = "+44 20 7946 0000"
      card_number = "4111111111111111"
    }
    order   = { status = "new", notes = "leave at the door" }
    product = { name = "Widget", price = 125 }
    items   = [{ sku = "W-1", card_number = "4000000000000002" }]
  })`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: p.config(seedClassificationPolicies + `
resource "lowcode_application" "orders" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
}

resource "lowcode_classification_policy" "order_notes" {
  name           = "order-notes"
  application_id = lowcode_application.orders.id
  level          = "internal"
  encryption     = "at-rest"
  access         = "authenticated"
  field_patterns = ["order.notes"]
}

data "lowcode_classification" "order" {
  data = ` + record + `
  depends_on = [
    lowcode_classification_policy.public, lowcode_classification_policy.internal,
    lowcode_classification_policy.confidential, lowcode_classification_policy.restricted,
    lowcode_classification_policy.order_notes,
  ]
}

data "lowcode_classification" "order_in_app" {
  data           = ` + record + `
  application_id = lowcode_application.orders.id
  depends_on     = [lowcode_classification_policy.order_notes, data.lowcode_classification.order]
}

data "lowcode_classification" "nothing_classified" {
  data       = jsonencode({ greeting = "hello" })
  depends_on = [data.lowcode_classification.order]
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(platformWide, tfjsonpath.New("level"), knownvalue.StringExact("restricted")),
					statecheck.ExpectKnownValue(platformWide, tfjsonpath.New("fields"), knownvalue.ListExact([]knownvalue.Check{
						field("customer.card_number", "restricted", "**.card_number"),
						field("customer.email", "confidential", "customer.email"),
						field("customer.phone", "confidential", "customer.phone"),
						field("items.card_number", "restricted", "**.card_number"),
						field("order.status", "internal", "order.status"),
						field("product.name", "public", "product.name"),
						field("product.price", "public", "product.price"),
					})),
					decidedBy(platformWide, 0, "restricted"),
					decidedBy(platformWide, 1, "confidential"),
					decidedBy(platformWide, 4, "internal"),
					decidedBy(platformWide, 5, "public"),
					// With the application, its own policies apply too.
					statecheck.ExpectKnownValue(withApp, tfjsonpath.New("fields").AtSliceIndex(4), field("order.notes", "internal", "order.notes")),
					decidedBy(withApp, 4, "order_notes"),
					statecheck.ExpectKnownValue(withApp, tfjsonpath.New("fields"), knownvalue.ListSizeExact(8)),
					statecheck.ExpectKnownValue("data.lowcode_classification.nothing_classified", tfjsonpath.New("level"), knownvalue.StringExact("public")),
					statecheck.ExpectKnownValue("data.lowcode_classification.nothing_classified", tfjsonpath.New("fields"), knownvalue.ListExact([]knownvalue.Check{})),
				},
			},
		},
	})
}

func TestAccClassificationDataSource_validation(t *testing.T) {
	p := newAccPlatform(t)
	expectPlanErrors(t, p, inBlock(`data "lowcode_classification" "bad"`, []planErrorCase{
		{"array", `data = jsonencode([1, 2])`, regexp.MustCompile(`(?s)Invalid JSON object.*got a JSON array, not an object`)},
		{"not json", `data = "customer=ada"`, regexp.MustCompile(`(?s)Invalid JSON object.*The value must be a JSON object`)},
		{"two values", `data = "{} {}"`, regexp.MustCompile(`(?s)unexpected data after the JSON value`)},
		{"empty application", `data = "{}"
  application_id = ""`, regexp.MustCompile(`(?s)Attribute application_id UTF-8 character count must be between 1 and 64`)},
	}))
}
