package provider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// absentFromState fails when secret occurs anywhere in the state (`terraform show -json`,
// which holds sensitive values in the clear).
type absentFromState struct{ secret string }

func (c absentFromState) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	if strings.Contains(string(raw), c.secret) {
		resp.Error = fmt.Errorf("the write-only secret was found in the state: %s", raw)
	}
}

// absentFromPlan fails when secret occurs anywhere in the saved plan.
type absentFromPlan struct{ secret string }

func (c absentFromPlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	raw, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = err
		return
	}
	if strings.Contains(string(raw), c.secret) {
		resp.Error = fmt.Errorf("the write-only secret was found in the plan: %s", raw)
	}
}

func TestAccWebhookResource(t *testing.T) {
	p := newAccPlatform(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	sameSecret := statecheck.CompareValue(compare.ValuesSame())
	const addr = "lowcode_webhook.orders"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("lowcode_webhook", existsOnPlatform(p.API.GetWebhook)),
		Steps: []resource.TestStep{
			{
				Config: p.config(`
resource "lowcode_webhook" "orders" {
  event_types  = ["order.created"]
  callback_url = "https://orders.example.com/webhooks/lowcode"
}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("secret")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					sameSecret.AddStateValue(addr, tfjsonpath.New("secret")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^whk_[0-9a-f]{32}$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("active"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("application_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("disabled_reason"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("previous_secret_expires_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret_wo"), knownvalue.Null()),
					// The generated secret is kept, and marked sensitive.
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret"), knownvalue.StringRegexp(regexp.MustCompile(`^whsec_[A-Za-z0-9+/]{43}=$`))),
					statecheck.ExpectSensitiveValue(addr, tfjsonpath.New("secret")),
				},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true,
				// The platform shows a generated secret only once: an import cannot know it.
				ImportStateVerifyIgnore: []string{"timeouts", "secret"},
			},
			{
				// Update in place: same id, same secret, new settings.
				Config: p.config(`
resource "lowcode_webhook" "orders" {
  event_types  = ["order.created", "customer.updated"]
  callback_url = "https://orders.example.com/webhooks/lowcode/v2"
  active       = false
  description  = "Order and customer events for the fulfilment service"
}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("secret"), knownvalue.NotNull()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					sameSecret.AddStateValue(addr, tfjsonpath.New("secret")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("event_types"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("order.created"), knownvalue.StringExact("customer.updated"),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("callback_url"), knownvalue.StringExact("https://orders.example.com/webhooks/lowcode/v2")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("active"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("Order and customer events for the fulfilment service")),
				},
			},
			{
				// Nothing changed (the set's order does not matter): the plan is empty.
				Config: p.config(`
resource "lowcode_webhook" "orders" {
  event_types  = ["customer.updated", "order.created"]
  callback_url = "https://orders.example.com/webhooks/lowcode/v2"
  active       = false
  description  = "Order and customer events for the fulfilment service"
}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

func TestAccWebhookResource_application(t *testing.T) {
	p := newAccPlatform(t)
	const addr = "lowcode_webhook.orders"
	config := func(app string) string {
		return p.config(`
resource "lowcode_application" "orders" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
}

resource "lowcode_application" "shop" {
  name        = "web-shop"
  environment = "production"
  version     = "1.0.0"
}

resource "lowcode_webhook" "orders" {
  application_id = lowcode_application.` + app + `.id
  event_types    = ["*"]
  callback_url   = "http://127.0.0.1:9/hook"
}`)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("lowcode_webhook", existsOnPlatform(p.API.GetWebhook)),
		Steps: []resource.TestStep{
			{
				Config: config("orders"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs(addr, tfjsonpath.New("application_id"),
						"lowcode_application.orders", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("event_types"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("*")})),
				},
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts", "secret"},
			},
			{
				// The application cannot change: the webhook is replaced.
				Config: config("shop"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs(addr, tfjsonpath.New("application_id"),
						"lowcode_application.shop", tfjsonpath.New("id"), compare.ValuesSame()),
				},
			},
		},
	})
}

// TestAccWebhookResource_writeOnlySecret proves a secret given in secret_wo reaches the
// platform but neither the plan nor the state, and that raising secret_wo_version rotates it.
func TestAccWebhookResource_writeOnlySecret(t *testing.T) {
	p := newAccPlatform(t)
	const addr = "lowcode_webhook.orders"
	const first = "first-receiver-secret-0123456789"
	const second = "second-receiver-secret-9876543210"
	// The secret comes from an ephemeral variable, as it would from a vault: then even the
	// plan's copy of the configuration does not hold it.
	cfg := func(version int) string {
		return p.config(fmt.Sprintf(`
variable "webhook_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "lowcode_webhook" "orders" {
  event_types       = ["order.created"]
  callback_url      = "https://orders.example.com/webhooks/lowcode"
  secret_wo         = var.webhook_secret
  secret_wo_version = %d
}`, version))
	}
	secretVar := func(secret string) config.Variables {
		return config.Variables{"webhook_secret": config.StringVariable(secret)}
	}
	var id string
	var firstRotation time.Time
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("lowcode_webhook", existsOnPlatform(p.API.GetWebhook)),
		Steps: []resource.TestStep{
			{
				Config: cfg(1), ConfigVariables: secretVar(first),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					absentFromPlan{first},
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("secret"), knownvalue.Null()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					absentFromState{first},
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret_wo_version"), knownvalue.Int64Exact(1)),
				},
				Check: func(s *terraform.State) error {
					if err := captureID(addr, &id)(s); err != nil {
						return err
					}
					wh, err := p.API.GetWebhook(context.Background(), id)
					if err != nil {
						return err
					}
					firstRotation = wh.SecretUpdatedAt
					return nil
				},
			},
			{
				// The same config: nothing to send.
				Config: cfg(1), ConfigVariables: secretVar(first),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// A new secret and version: rotated in place, with the previous secret kept valid for
				// the default overlap.
				Config: cfg(2), ConfigVariables: secretVar(second),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					absentFromPlan{second},
					absentFromPlan{first},
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					absentFromState{second},
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret_wo_version"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("previous_secret_expires_at"), knownvalue.NotNull()),
				},
				Check: func(*terraform.State) error {
					wh, err := p.API.GetWebhook(context.Background(), id)
					if err != nil {
						return err
					}
					if wh.ID != id {
						return fmt.Errorf("webhook replaced: %s, want %s", wh.ID, id)
					}
					if !wh.SecretUpdatedAt.After(firstRotation) {
						return fmt.Errorf("secret_updated_at %s did not move past %s: the secret was not rotated", wh.SecretUpdatedAt, firstRotation)
					}
					if wh.PreviousSecretExpiresAt == nil {
						return errors.New("previous_secret_expires_at is not set: the rotation had no overlap")
					}
					if overlap := wh.PreviousSecretExpiresAt.Sub(wh.SecretUpdatedAt); overlap != 24*time.Hour {
						return fmt.Errorf("the previous secret stays valid for %s, want the default 24h", overlap)
					}
					return nil
				},
			},
			{
				// Back to a generated secret: the platform generates one and it is kept in `secret`.
				Config: p.config(`
resource "lowcode_webhook" "orders" {
  event_types  = ["order.created"]
  callback_url = "https://orders.example.com/webhooks/lowcode"
}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("secret")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret"), knownvalue.StringRegexp(regexp.MustCompile(`^whsec_`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret_wo_version"), knownvalue.Null()),
				},
			},
			{
				// And to a secret of one's own again: the generated one leaves the state.
				Config: cfg(3), ConfigVariables: secretVar(first),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("secret"), knownvalue.Null()),
					absentFromPlan{first},
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					absentFromState{first},
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret"), knownvalue.Null()),
				},
			},
		},
	})
}

func TestAccWebhookResource_drift(t *testing.T) {
	p := newAccPlatform(t)
	const addr = "lowcode_webhook.orders"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: driftSteps(addr, p.config(`
resource "lowcode_webhook" "orders" {
  event_types  = ["order.created"]
  callback_url = "https://orders.example.com/webhooks/lowcode"
}`),
			func(id string) {
				// Deactivated, as the platform does when a receiver answers 410 Gone.
				if _, err := p.API.PatchWebhook(context.Background(), id, "", api.WebhookPatch{Active: new(false),
					EventTypes: &[]string{"order.created", "order.canceled"}}); err != nil {
					t.Fatal(err)
				}
			},
			func(id string) {
				if err := p.API.DeleteWebhook(context.Background(), id, ""); err != nil {
					t.Fatal(err)
				}
			},
			plancheck.ExpectKnownValue(addr, tfjsonpath.New("active"), knownvalue.Bool(true)),
			plancheck.ExpectKnownValue(addr, tfjsonpath.New("event_types"), knownvalue.SetExact([]knownvalue.Check{
				knownvalue.StringExact("order.created"),
			}))),
	})
}

func TestAccWebhookResource_validation(t *testing.T) {
	p := newAccPlatform(t)
	expectPlanErrors(t, p, inBlock(`resource "lowcode_webhook" "bad"`, []planErrorCase{
		{"event type", `event_types = ["OrderCreated"]
  callback_url = "https://example.com/hook"`, regexp.MustCompile(`(?s)must be a dotted lowercase event\s+type such as order.created, got: OrderCreated`)},
		{"no event types", `event_types = []
  callback_url = "https://example.com/hook"`, regexp.MustCompile(`(?s)Attribute event_types set must contain at least 1`)},
		{"relative url", `event_types = ["order.created"]
  callback_url = "/webhooks/lowcode"`, regexp.MustCompile(`(?s)"/webhooks/lowcode" is not an absolute http:// or https://`)},
		{"ftp url", `event_types = ["order.created"]
  callback_url = "ftp://example.com/hook"`, regexp.MustCompile(`(?s)is not an absolute http:// or https://`)},
		{"url with credentials", `event_types = ["order.created"]
  callback_url = "https://user:pass@example.com/hook"`, regexp.MustCompile(`(?s)The URL carries credentials`)},
		{"version without secret", `event_types = ["order.created"]
  callback_url = "https://example.com/hook"
  secret_wo_version = 1`, regexp.MustCompile(`(?s)Attribute "secret_wo" must be specified when "secret_wo_version" is`)},
		{"short secret", `event_types = ["order.created"]
  callback_url = "https://example.com/hook"
  secret_wo = "short"
  secret_wo_version = 1`, regexp.MustCompile(`(?s)Attribute secret_wo string length must be between 24 and 256`)},
		{"empty application", `event_types = ["order.created"]
  callback_url = "https://example.com/hook"
  application_id = ""`, regexp.MustCompile(`(?s)Attribute application_id string length must be between 1 and 64`)},
	}))
}

// TestAccWebhookResource_secretWithoutVersion warns that a later change of secret_wo would go
// unnoticed, and still uses the secret on create.
func TestAccWebhookResource_secretWithoutVersion(t *testing.T) {
	p := newAccPlatform(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("lowcode_webhook", existsOnPlatform(p.API.GetWebhook)),
		Steps: []resource.TestStep{{
			Config: p.config(`
resource "lowcode_webhook" "orders" {
  event_types  = ["order.created"]
  callback_url = "https://orders.example.com/webhooks/lowcode"
  secret_wo    = "receiver-secret-without-a-version"
}`),
			ConfigStateChecks: []statecheck.StateCheck{
				absentFromState{"receiver-secret-without-a-version"},
				statecheck.ExpectKnownValue("lowcode_webhook.orders", tfjsonpath.New("secret"), knownvalue.Null()),
			},
		}},
	})
}

// TestAccWebhookResource_secretReachesPlatform proves secret_wo is sent, on create and on a
// version change: a receiver holding only that secret verifies the platform's deliveries. A
// whsec_ secret whose key is not base64, which the platform could not sign with, fails at plan
// (on create and on a rotation alike) instead of with a 400 at apply.
func TestAccWebhookResource_secretReachesPlatform(t *testing.T) {
	p := newAccPlatform(t, fastRuntime())
	receiver := newFlakyReceiver(t, 0)
	cfg := func(secret string, version int) string {
		return p.config(fmt.Sprintf(`
resource "lowcode_webhook" "orders" {
  event_types       = ["order.created"]
  callback_url      = %q
  secret_wo         = %q
  secret_wo_version = %d
}`, receiver.URL+"/hooks", secret, version))
	}
	const bad = "whsec_this-is-not-base64-at-all!"
	// At plan, naming the attribute; the message does not repeat the secret (the CLI shows the
	// configuration's line).
	badSecret := regexp.MustCompile(`(?s)Error: Invalid signing secret\s+with lowcode_webhook\.orders,.*` +
		`secret_wo\s+=\s+"whsec_this-is-not-base64-at-all!"\s+` +
		`secret_wo:\s+signing\s+secret\s+starts\s+with\s+"whsec_"\s+but\s+the\s+rest\s+is\s+not\s+valid\s+base64:`)
	first := "whsec_" + base64.StdEncoding.EncodeToString([]byte("the receiver's first key"))
	second := "whsec_" + base64.StdEncoding.EncodeToString([]byte("the receiver's second key"))
	// delivered publishes an event and waits until the receiver, holding only secret, accepts it.
	delivered := func(secret string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			receiver.setSecret(secret)
			_, before, _ := receiver.snapshot()
			if _, err := p.API.PublishEvent(context.Background(), api.EventInput{Type: "order.created"}); err != nil {
				return err
			}
			waitFor(t, "a delivery signed with secret_wo", func() bool {
				_, accepted, invalid := receiver.snapshot()
				return len(accepted) > len(before) || len(invalid) > 0
			})
			if _, _, invalid := receiver.snapshot(); len(invalid) > 0 {
				return fmt.Errorf("the delivery is not signed with secret_wo: %v", invalid)
			}
			return nil
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("lowcode_webhook", existsOnPlatform(p.API.GetWebhook)),
		Steps: []resource.TestStep{
			{Config: cfg(bad, 1), PlanOnly: true, ExpectError: badSecret},
			{Config: cfg(first, 1), Check: delivered(first)},
			{Config: cfg(bad, 2), PlanOnly: true, ExpectError: badSecret},
			{Config: cfg(second, 2), Check: delivered(second)},
		},
	})
}
