package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/fields"
)

// Limits are counted in characters on both sides: non-ASCII text exactly at each length limit
// (three bytes a character here) plans, applies and imports back unchanged, for every
// resource with free text. (The provider counted bytes, so a 1000-character description in
// Japanese failed plan with "must be at most 1000, got: 3000", and objects the platform holds
// could not be imported.)
func TestAccCharacters_nonASCIIAtTheLimits(t *testing.T) {
	p := newAccPlatform(t)
	text := func(n int) string { return strings.Repeat("注", n) }
	desc := text(fields.DescriptionMax)
	config := p.config(fmt.Sprintf(`
resource "lowcode_application" "t" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
  description = %[1]q
  labels      = { team = %[2]q }
}

resource "lowcode_workflow" "t" {
  application_id = lowcode_application.t.id
  name           = "order-fulfillment"
  version        = "1.5.2"
  description    = %[1]q
  trigger        = { type = "manual" }
  steps          = [{ name = "check-amount", type = "validate", validate = { expression = "amount <= 10000", message = %[1]q } }]
}

resource "lowcode_webhook" "t" {
  event_types  = ["order.created"]
  callback_url = "https://orders.example.com/webhooks/lowcode"
  description  = %[1]q
}

resource "lowcode_user" "t" {
  email        = "ada@example.com"
  display_name = %[3]q
}

resource "lowcode_classification_policy" "t" {
  name           = "customer-contact"
  level          = "confidential"
  encryption     = "at-rest+transit"
  access         = "role-based"
  field_patterns = ["customer.email"]
  description    = %[1]q
}

resource "lowcode_custom_integration" "t" {
  name        = "crm-sync"
  code_repo   = "github.com/company/crm-sync"
  api_version = "v2"
  description = %[1]q
}
`, desc, text(fields.LabelValueMax), text(fields.DisplayNameMax)))
	steps := []resource.TestStep{{
		Config: config,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("lowcode_application.t", tfjsonpath.New("description"), knownvalue.StringExact(desc)),
			statecheck.ExpectKnownValue("lowcode_application.t", tfjsonpath.New("labels").AtMapKey("team"), knownvalue.StringExact(text(fields.LabelValueMax))),
			statecheck.ExpectKnownValue("lowcode_user.t", tfjsonpath.New("display_name"), knownvalue.StringExact(text(fields.DisplayNameMax))),
		},
	}}
	for _, addr := range []string{"lowcode_application.t", "lowcode_workflow.t", "lowcode_webhook.t", "lowcode_user.t",
		"lowcode_classification_policy.t", "lowcode_custom_integration.t"} {
		ignore := []string{"timeouts"}
		if strings.HasPrefix(addr, "lowcode_webhook.") {
			ignore = append(ignore, "secret") // shown once, at create
		}
		steps = append(steps, resource.TestStep{Config: config, ResourceName: addr, ImportState: true, ImportStateVerify: true,
			ImportStateVerifyIgnore: ignore})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
}
