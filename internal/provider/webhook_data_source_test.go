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

func TestAccWebhookDataSource(t *testing.T) {
	p := newAccPlatform(t)
	const res, ds = "lowcode_webhook.orders", "data.lowcode_webhook.orders"
	var checks []statecheck.StateCheck
	for _, attr := range []string{"id", "event_types", "callback_url", "active", "description", "application_id",
		"secret_updated_at", "previous_secret_expires_at", "disabled_reason", "created_at", "updated_at"} {
		checks = append(checks, statecheck.CompareValuePairs(res, tfjsonpath.New(attr), ds, tfjsonpath.New(attr), compare.ValuesSame()))
	}
	checks = append(checks, statecheck.ExpectKnownValue(ds, tfjsonpath.New("event_types"), knownvalue.SetExact([]knownvalue.Check{
		knownvalue.StringExact("order.created"), knownvalue.StringExact("customer.updated"),
	})))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: p.config(`
resource "lowcode_application" "orders" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
}

resource "lowcode_webhook" "orders" {
  application_id = lowcode_application.orders.id
  event_types    = ["order.created", "customer.updated"]
  callback_url   = "https://orders.example.com/webhooks/lowcode"
  description    = "Order events"
}

data "lowcode_webhook" "orders" {
  id = lowcode_webhook.orders.id
}`),
				ConfigStateChecks: checks,
			},
			{
				Config: p.config(`
data "lowcode_webhook" "missing" {
  id = "whk_00000000000000000000000000000000"
}`),
				ExpectError: regexp.MustCompile(`(?s)Webhook not found.*no webhook with id\s+"whk_00000000000000000000000000000000"`),
			},
		},
	})
}
