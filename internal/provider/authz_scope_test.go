package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// TestAccScope_narrowKeyKeepsState applies with a CI key that holds the editor role on one
// application, against a state that also holds objects outside that scope (another
// application, a workflow in it, a platform-wide webhook). Refreshing those is refused: the
// apply fails with an error that names the object and the role the key lacks, and Terraform
// keeps every object in state, so the owner key's next plan is empty with the same ids. (When
// the platform answered 404, the provider dropped them from state as deleted, and the next
// apply created a second platform-wide webhook.)
//
// Not parallel: the key reaches the provider through LOWCODE_API_KEY, switched between steps.
func TestAccScope_narrowKeyKeepsState(t *testing.T) {
	p := newAccPlatform(t)
	configWith := func(description string) string {
		return fmt.Sprintf(`
provider "lowcode" {
  endpoint = %q
}

resource "lowcode_application" "ci" {
  name        = "ci-app"
  environment = "staging"
  version     = "1.0.0"
  description = %q
}

resource "lowcode_application" "other" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
}

resource "lowcode_workflow" "other" {
  application_id = lowcode_application.other.id
  name           = "order-fulfillment"
  version        = "1.5.2"
  trigger        = { type = "manual" }
  steps          = [{ name = "check-amount", type = "validate", validate = { expression = "amount <= 10000", message = "Amount exceeds limit" } }]
}

resource "lowcode_webhook" "everything" {
  event_types  = ["order.created"]
  callback_url = "https://orders.example.com/webhooks/lowcode"
}
`, p.URL, description)
	}
	asKey := func(key func() string) func() { return func() { t.Setenv(EnvAPIKey, key()) } }
	owner := func() string { return p.OwnerKey }
	narrow := func() string {
		var appID string
		for app, err := range p.API.ListApplications(context.Background(), client.ApplicationFilter{Name: "ci-app"}) {
			if err != nil {
				t.Fatalf("finding ci-app: %v", err)
			}
			appID = app.ID
		}
		_, key := p.NewUser("ci@example.com", platformtest.Grant{Role: api.Editor, ScopeType: api.ScopeTypeApplication, ScopeID: appID})
		return key
	}
	oneWebhook := func(*terraform.State) error {
		n := 0
		for _, err := range p.API.ListWebhooks(context.Background(), client.WebhookFilter{}) {
			if err != nil {
				return err
			}
			n++
		}
		if n != 1 {
			return fmt.Errorf("the platform holds %d webhooks, want 1", n)
		}
		return nil
	}
	addrs := []string{"lowcode_application.ci", "lowcode_application.other", "lowcode_workflow.other", "lowcode_webhook.everything"}
	same := make([]statecheck.StateCheck, 0, len(addrs))
	record := make([]statecheck.StateCheck, 0, len(addrs))
	for _, addr := range addrs {
		c := statecheck.CompareValue(compare.ValuesSame())
		record = append(record, c.AddStateValue(addr, tfjsonpath.New("id")))
		same = append(same, c.AddStateValue(addr, tfjsonpath.New("id")))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("lowcode_webhook", existsOnPlatform(p.API.GetWebhook)),
		Steps: []resource.TestStep{
			{PreConfig: asKey(owner), Config: configWith("before"), ConfigStateChecks: record},
			{
				// The narrow key may change ci-app, but cannot read the others.
				PreConfig: asKey(narrow),
				Config:    configWith("changed by CI"),
				ExpectError: regexp.MustCompile(`(?s)Error reading (application|workflow|webhook).*` +
					`(application|workflow|webhook)\s+(app|wf|whk)_[0-9a-f]+\s+exists,\s+but\s+this\s+API\s+key\s+may\s+not\s+read\s+it.*` +
					`viewer\s+role.*Terraform\s+keeps\s+it\s+in\s+state`),
			},
			{
				PreConfig:         asKey(owner),
				Config:            configWith("before"),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: same,
				Check:             oneWebhook,
			},
		},
	})
}
