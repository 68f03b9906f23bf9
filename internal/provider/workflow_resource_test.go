package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// orderApplication is the seed's order-management application, which owns the workflows.
const orderApplication = `
resource "lowcode_application" "orders" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
}
`

// orderFulfillment is the seed's order-fulfillment workflow: reject orders over the limit,
// sync the order to the CRM, announce it.
func orderFulfillment() string {
	const crmURL = "https://crm.example.com/api/v2/orders"
	return orderApplication + fmt.Sprintf(`
resource "lowcode_workflow" "fulfillment" {
  application_id = lowcode_application.orders.id
  name           = "order-fulfillment"
  version        = "1.5.2"

  trigger = {
    type       = "event"
    event_type = "order.created"
  }

  steps = [
    {
      name = "check-amount"
      type = "validate"
      validate = {
        expression = "amount <= 10000"
        message    = "Amount exceeds limit"
      }
    },
    {
      name = "crm-sync"
      type = "http"
      http = {
        method  = "POST"
        url     = %q
        headers = { "X-Source" = "lowcode" }
      }
    },
    {
      name = "announce"
      type = "emit"
      emit = {
        event_type = "order.validated"
      }
    },
  ]
}
`, crmURL)
}

const workflowAddr = "lowcode_workflow.fulfillment"

func TestAccWorkflowResource(t *testing.T) {
	p := newAccPlatform(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	step := func(i int, names ...string) tfjsonpath.Path {
		at := tfjsonpath.New("steps").AtSliceIndex(i)
		for _, n := range names {
			at = at.AtMapKey(n)
		}
		return at
	}
	// Version 1.6.0: a transform step inserted before the http step, which is renamed and
	// so moves to index 2 with a new default result_field; the schedule replaces the event.
	updated := orderApplication + `
resource "lowcode_workflow" "fulfillment" {
  application_id = lowcode_application.orders.id
  name           = "order-fulfillment"
  version        = "1.6.0"
  description    = "Validates orders and syncs them to the CRM"
  enabled        = false

  trigger = {
    type = "schedule"
    cron = "0 6 * * 1-5"
  }

  steps = [
    {
      name = "check-amount"
      type = "validate"
      validate = {
        expression = "amount <= 10000"
        message    = "Amount exceeds limit"
      }
    },
    {
      name = "totals"
      type = "transform"
      transform = {
        set = [
          { field = "order.total", expression = "quantity * unit_price" },
          { field = "order.currency", expression = "\"EUR\"" },
        ]
      }
    },
    {
      name = "crm"
      type = "http"
      http = {
        method     = "PUT"
        url        = "https://crm.example.com/api/v2/orders"
        body       = "{order_id: order_id, total: order.total}"
        timeout_ms = 5000
      }
    },
    {
      name = "notify-analytics"
      type = "http"
      http = {
        method       = "GET"
        url          = "https://analytics.example.com/ping"
        result_field = "analytics.response"
      }
    },
    {
      name = "announce"
      type = "emit"
      emit = {
        event_type = "order.validated"
        data       = "{order_id: order_id}"
      }
    },
  ]
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("lowcode_workflow", existsOnPlatform(p.API.GetWorkflow)),
		Steps: []resource.TestStep{
			{
				Config: p.config(orderFulfillment()),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// The platform's defaults are known at plan time: nothing "known after apply" in the steps.
					plancheck.ExpectKnownValue(workflowAddr, step(1, "http", "result_field"), knownvalue.StringExact("crm-sync")),
					plancheck.ExpectKnownValue(workflowAddr, step(1, "http", "timeout_ms"), knownvalue.Int64Exact(10000)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(workflowAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(workflowAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^wf_[0-9a-f]{32}$`))),
					statecheck.CompareValuePairs(workflowAddr, tfjsonpath.New("application_id"), "lowcode_application.orders", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(workflowAddr, tfjsonpath.New("description"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(workflowAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(workflowAddr, tfjsonpath.New("trigger"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"type": knownvalue.StringExact("event"), "event_type": knownvalue.StringExact("order.created"), "cron": knownvalue.Null(),
					})),
					statecheck.ExpectKnownValue(workflowAddr, step(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"name": knownvalue.StringExact("check-amount"), "type": knownvalue.StringExact("validate"),
						"validate": knownvalue.ObjectExact(map[string]knownvalue.Check{
							"expression": knownvalue.StringExact("amount <= 10000"), "message": knownvalue.StringExact("Amount exceeds limit"),
						}),
						"transform": knownvalue.Null(), "http": knownvalue.Null(), "emit": knownvalue.Null(),
					})),
					statecheck.ExpectKnownValue(workflowAddr, step(1, "http"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"method": knownvalue.StringExact("POST"), "url": knownvalue.StringExact("https://crm.example.com/api/v2/orders"),
						"headers":    knownvalue.MapExact(map[string]knownvalue.Check{"X-Source": knownvalue.StringExact("lowcode")}),
						"body":       knownvalue.Null(),
						"timeout_ms": knownvalue.Int64Exact(10000), "result_field": knownvalue.StringExact("crm-sync"),
					})),
					statecheck.ExpectKnownValue(workflowAddr, step(2, "emit"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"event_type": knownvalue.StringExact("order.validated"), "data": knownvalue.Null(),
					})),
					statecheck.ExpectKnownValue(workflowAddr, tfjsonpath.New("etag"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(workflowAddr, tfjsonpath.New("created_at"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(workflowAddr, tfjsonpath.New("last_modified"), knownvalue.NotNull()),
				},
			},
			{
				ResourceName:            workflowAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				Config: p.config(updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(workflowAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(workflowAddr, step(2, "http", "result_field"), knownvalue.StringExact("crm")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(workflowAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(workflowAddr, tfjsonpath.New("version"), knownvalue.StringExact("1.6.0")),
					statecheck.ExpectKnownValue(workflowAddr, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(workflowAddr, tfjsonpath.New("trigger"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"type": knownvalue.StringExact("schedule"), "event_type": knownvalue.Null(), "cron": knownvalue.StringExact("0 6 * * 1-5"),
					})),
					statecheck.ExpectKnownValue(workflowAddr, step(1, "transform", "set"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{"field": knownvalue.StringExact("order.total"), "expression": knownvalue.StringExact("quantity * unit_price")}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{"field": knownvalue.StringExact("order.currency"), "expression": knownvalue.StringExact(`"EUR"`)}),
					})),
					statecheck.ExpectKnownValue(workflowAddr, step(2, "http"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"method": knownvalue.StringExact("PUT"), "url": knownvalue.StringExact("https://crm.example.com/api/v2/orders"),
						"headers": knownvalue.MapExact(map[string]knownvalue.Check{}), "body": knownvalue.StringExact("{order_id: order_id, total: order.total}"),
						"timeout_ms": knownvalue.Int64Exact(5000), "result_field": knownvalue.StringExact("crm"),
					})),
					statecheck.ExpectKnownValue(workflowAddr, step(3, "http", "result_field"), knownvalue.StringExact("analytics.response")),
					statecheck.ExpectKnownValue(workflowAddr, step(4, "emit", "data"), knownvalue.StringExact("{order_id: order_id}")),
				},
			},
			{
				Config:           p.config(updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// Back to the seed's workflow: steps removed and the trigger's settings cleared.
				Config: p.config(orderFulfillment()),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(workflowAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(workflowAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(workflowAddr, tfjsonpath.New("steps"), knownvalue.ListSizeExact(3)),
					statecheck.ExpectKnownValue(workflowAddr, step(1, "http", "result_field"), knownvalue.StringExact("crm-sync")),
				},
			},
		},
	})
}

func TestAccWorkflowResource_drift(t *testing.T) {
	p := newAccPlatform(t)
	ctx := context.Background()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: driftSteps(workflowAddr, p.config(orderFulfillment()),
			func(id string) {
				// A console user bumps the version and points the CRM step's result elsewhere.
				wf, err := p.API.GetWorkflow(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				steps := wf.Steps
				steps[1].HTTP.ResultField = new("crm_response")
				version := "9.9.9"
				if _, err := p.API.PatchWorkflow(ctx, id, wf.Etag, api.WorkflowPatch{Version: &version, Steps: &steps}); err != nil {
					t.Fatal(err)
				}
			},
			func(id string) {
				if err := p.API.DeleteWorkflow(ctx, id, ""); err != nil {
					t.Fatal(err)
				}
			},
			plancheck.ExpectKnownValue(workflowAddr, tfjsonpath.New("steps").AtSliceIndex(1).AtMapKey("http").AtMapKey("result_field"),
				knownvalue.StringExact("crm-sync")),
		),
	})
}

func TestAccWorkflowResource_validation(t *testing.T) {
	p := newAccPlatform(t)
	// workflow builds a configuration from a trigger and steps.
	workflow := func(trigger, steps string) string {
		return `resource "lowcode_workflow" "bad" {
  application_id = "app_00000000000000000000000000000000"
  name           = "order-fulfillment"
  version        = "1.0.0"
  trigger        = ` + trigger + `
  steps          = [` + steps + `]
}`
	}
	const manual = `{ type = "manual" }`
	const okStep = `{ name = "check", type = "validate", validate = { expression = "amount <= 10000", message = "too much" } }`
	validate := func(expr string) string {
		return `{ name = "check", type = "validate", validate = { expression = ` + expr + `, message = "Amount exceeds limit" } }`
	}
	httpStep := func(settings string) string {
		return `{ name = "crm", type = "http", http = { ` + settings + ` } }`
	}
	many := make([]string, 51)
	for i := range many {
		many[i] = fmt.Sprintf(`{ name = "s%d", type = "emit", emit = { event_type = "order.validated" } }`, i)
	}
	expectPlanErrors(t, p, []planErrorCase{
		{"trigger type", workflow(`{ type = "webhook" }`, okStep), phrase(`Attribute trigger.type value must be one of`)},
		{"event without event_type", workflow(`{ type = "event" }`, okStep),
			phrase(`trigger.event_type is required for event triggers: the event type that starts the workflow, such as order.created.`)},
		{"event with cron", workflow(`{ type = "event", event_type = "order.created", cron = "@hourly" }`, okStep),
			phrase(`trigger.cron must not be set for event triggers`)},
		{"schedule without cron", workflow(`{ type = "schedule" }`, okStep), phrase(`trigger.cron is required for schedule triggers`)},
		{"schedule with event_type", workflow(`{ type = "schedule", cron = "@hourly", event_type = "order.created" }`, okStep),
			phrase(`trigger.event_type must not be set for schedule triggers`)},
		{"manual with event_type", workflow(`{ type = "manual", event_type = "order.created" }`, okStep),
			phrase(`trigger.event_type must not be set for manual triggers`)},
		{"cron syntax", workflow(`{ type = "schedule", cron = "61 * * * *" }`, okStep),
			phrase(`trigger.cron: invalid cron expression "61 * * * *": end of range (61) above maximum (59)`)},
		{"cron too often", workflow(`{ type = "schedule", cron = "@every 10s" }`, okStep),
			phrase(`the interval must be at least 1m0s`)},
		{"event type", workflow(`{ type = "event", event_type = "OrderCreated" }`, okStep),
			phrase(`must be a dotted lowercase event type such as order.created`)},
		{"no steps", workflow(manual, ``), phrase(`Attribute steps list must contain at least 1 elements`)},
		{"too many steps", workflow(manual, strings.Join(many, ",\n")), phrase(`Attribute steps list must contain at least 1 elements and at most 50 elements, got: 51`)},
		{"duplicate step names", workflow(manual, okStep+", "+okStep),
			phrase(`steps[1].name: the step name "check" is already used by steps[0]; step names must be unique within a workflow.`)},
		{"step type", workflow(manual, `{ name = "x", type = "script" }`), phrase(`Attribute steps[0].type value must be one of`)},
		{"missing settings", workflow(manual, `{ name = "x", type = "emit" }`), phrase(`steps[0].emit is required for a step of type "emit".`)},
		{"other settings", workflow(manual, `{ name = "x", type = "emit", emit = { event_type = "order.validated" }, validate = { expression = "true", message = "m" } }`),
			phrase(`steps[0].validate must not be set for a step of type "emit"; set only steps[0].emit.`)},
		{"expression syntax", workflow(manual, validate(`"amount <="`)),
			phrase(`steps[0].validate.expression does not compile: unexpected token EOF (1:9)`)},
		{"expression unknown function", workflow(manual, okStep+", "+`{ name = "t", type = "transform", transform = { set = [{ field = "total", expression = "launch(1)" }] } }`),
			phrase(`steps[1].transform.set[0].expression does not compile: unknown function launch (1:1)`)},
		{"emit data", workflow(manual, `{ name = "e", type = "emit", emit = { event_type = "order.validated", data = "{order_id: }" } }`),
			phrase(`steps[0].emit.data does not compile:`)},
		{"field path", workflow(manual, `{ name = "t", type = "transform", transform = { set = [{ field = "order..total", expression = "1" }] } }`),
			phrase(`steps[0].transform.set[0].field: field path "order..total" has an empty segment at position 2`)},
		{"empty transform", workflow(manual, `{ name = "t", type = "transform", transform = { set = [] } }`),
			phrase(`Attribute steps[0].transform.set list must contain at least 1 elements`)},
		{"http method", workflow(manual, httpStep(`method = "FETCH", url = "https://crm.example.com"`)), phrase(`Attribute steps[0].http.method value must be one of`)},
		{"http url", workflow(manual, httpStep(`method = "POST", url = "crm.example.com/orders"`)),
			phrase(`"crm.example.com/orders" is not an absolute http:// or https:// URL`)},
		{"http url credentials", workflow(manual, httpStep(`method = "POST", url = "https://bot:hunter2@crm.example.com/orders"`)),
			phrase(`steps[0].http.url carries credentials (user:password@); the platform refuses them. Send them in`)},
		{"http body on GET", workflow(manual, httpStep(`method = "GET", url = "https://crm.example.com", body = "order"`)),
			phrase(`steps[0].http.body must not be set for GET requests, which carry no body.`)},
		{"http body expression", workflow(manual, httpStep(`method = "POST", url = "https://crm.example.com", body = "order +"`)),
			phrase(`steps[0].http.body does not compile:`)},
		{"http header name", workflow(manual, httpStep(`method = "POST", url = "https://crm.example.com", headers = { "Bad Header" = "x" }`)),
			phrase(`must be a valid HTTP header name, such as X-Api-Key`)},
		{"http timeout", workflow(manual, httpStep(`method = "POST", url = "https://crm.example.com", timeout_ms = 50`)),
			phrase(`Attribute steps[0].http.timeout_ms value must be between 100 and 60000, got: 50`)},
		{"http result_field", workflow(manual, httpStep(`method = "POST", url = "https://crm.example.com", result_field = "crm result"`)),
			phrase(`steps[0].http.result_field: field path "crm result" has the character ' '`)},
	})
}
