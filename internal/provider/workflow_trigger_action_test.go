package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/tfcli"
)

// pricingWorkflows are a manual workflow that checks the amount and prices the order, and a
// disabled copy of it.
const pricingWorkflows = orderApplication + `
resource "lowcode_workflow" "pricing" {
  application_id = lowcode_application.orders.id
  name           = "order-pricing"
  version        = "1.0.0"
  trigger        = { type = "manual" }
  steps = [
    { name = "check-amount", type = "validate", validate = { expression = "amount <= 10000", message = "Amount exceeds limit" } },
    { name = "price", type = "transform", transform = { set = [{ field = "total", expression = "amount * 2" }] } },
  ]
}

resource "lowcode_workflow" "paused" {
  application_id = lowcode_application.orders.id
  name           = "order-pricing-paused"
  version        = "1.0.0"
  enabled        = false
  trigger        = { type = "manual" }
  steps          = [{ name = "check-amount", type = "validate", validate = { expression = "amount <= 10000", message = "Amount exceeds limit" } }]
}
`

// invoked is what one InvokeAction call reported.
type invoked struct {
	progress []string
	errors   []string
}

func (pp *protoProvider) actionServer() tfprotov6.ActionServer {
	pp.t.Helper()
	as, ok := pp.srv.(tfprotov6.ActionServer)
	if !ok {
		pp.t.Fatal("the provider server does not serve actions")
	}
	return as
}

func (pp *protoProvider) triggerConfig(attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	return pp.value(pp.schemas.ActionSchemas["lowcode_workflow_trigger"].Schema.ValueType(), attrs)
}

// invoke validates, plans and invokes lowcode_workflow_trigger as Terraform 1.14 does.
func (pp *protoProvider) invoke(attrs map[string]tftypes.Value) invoked {
	pp.t.Helper()
	ctx := context.Background()
	cfg := pp.triggerConfig(attrs)
	v, err := pp.actionServer().ValidateActionConfig(ctx, &tfprotov6.ValidateActionConfigRequest{ActionType: "lowcode_workflow_trigger", Config: cfg})
	if err != nil {
		pp.t.Fatal(err)
	}
	pp.noErrors("ValidateActionConfig", v.Diagnostics)
	plan, err := pp.actionServer().PlanAction(ctx, &tfprotov6.PlanActionRequest{ActionType: "lowcode_workflow_trigger", Config: cfg})
	if err != nil {
		pp.t.Fatal(err)
	}
	pp.noErrors("PlanAction", plan.Diagnostics)
	stream, err := pp.actionServer().InvokeAction(ctx, &tfprotov6.InvokeActionRequest{ActionType: "lowcode_workflow_trigger", Config: cfg})
	if err != nil {
		pp.t.Fatal(err)
	}
	var out invoked
	for ev := range stream.Events {
		switch e := ev.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			out.progress = append(out.progress, e.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			for _, d := range e.Diagnostics {
				if d.Severity == tfprotov6.DiagnosticSeverityError {
					out.errors = append(out.errors, d.Summary+": "+d.Detail)
				}
			}
		}
	}
	return out
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func boolean(b bool) tftypes.Value { return tftypes.NewValue(tftypes.Bool, b) }

// The lowcode_workflow_trigger action, driven through the protocol as Terraform 1.14 does:
// it starts one execution, waits for it when asked, and fails with the execution's error;
// bad configuration fails at validation, a disabled workflow at invocation.
func TestAccWorkflowTriggerAction_protocol(t *testing.T) {
	p := newAccPlatform(t, fastRuntime())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: p.config(pricingWorkflows),
			Check: func(s *terraform.State) error {
				pp := newProtoProvider(t, p)
				pricing := s.RootModule().Resources["lowcode_workflow.pricing"].Primary.ID
				paused := s.RootModule().Resources["lowcode_workflow.paused"].Primary.ID

				ok := pp.invoke(map[string]tftypes.Value{"workflow_id": str(pricing), "input": str(`{"order_id":"ord-1","amount":250}`), "wait": boolean(true)})
				if len(ok.errors) != 0 || len(ok.progress) < 2 || !strings.Contains(ok.progress[len(ok.progress)-1], "succeeded") {
					t.Errorf("a good order: progress %q, errors %q", ok.progress, ok.errors)
				}
				executions, err := client.Collect(p.API.ListExecutions(context.Background(), client.ExecutionFilter{WorkflowID: pricing}))
				if err != nil {
					t.Fatal(err)
				}
				if len(executions) != 1 || executions[0].Status != api.ExecutionStatusSucceeded || executions[0].Output == nil ||
					(*executions[0].Output)["total"] != 500.0 || len(ok.progress) == 0 || !strings.Contains(ok.progress[0], executions[0].ID) {
					t.Errorf("after one invocation the platform has %+v", executions)
				}

				over := pp.invoke(map[string]tftypes.Value{"workflow_id": str(pricing), "input": str(`{"order_id":"ord-2","amount":15000}`), "wait": boolean(true)})
				if len(over.errors) != 1 || !regexp.MustCompile(`Workflow execution failed: Execution exe_\w+ of workflow wf_\w+ failed: Amount exceeds limit`).MatchString(over.errors[0]) {
					t.Errorf("an order over the limit: %q", over.errors)
				}

				queued := pp.invoke(map[string]tftypes.Value{"workflow_id": str(pricing), "input": str(`{"amount":1}`)})
				if len(queued.errors) != 0 || len(queued.progress) != 1 || !strings.Contains(queued.progress[0], "triggered") {
					t.Errorf("without wait: progress %q, errors %q", queued.progress, queued.errors)
				}

				disabled := pp.invoke(map[string]tftypes.Value{"workflow_id": str(paused), "input": str(`{"amount":1}`), "wait": boolean(true)})
				if len(disabled.errors) != 1 || !strings.Contains(disabled.errors[0], "Error triggering workflow") || !strings.Contains(disabled.errors[0], "disabled") {
					t.Errorf("a disabled workflow: %q", disabled.errors)
				}

				for name, tc := range map[string]struct {
					attrs map[string]tftypes.Value
					want  string
				}{
					"input not JSON":  {map[string]tftypes.Value{"workflow_id": str(pricing), "input": str("amount=1")}, "must be a JSON object"},
					"input a list":    {map[string]tftypes.Value{"workflow_id": str(pricing), "input": str("[1]")}, "must be a JSON object"},
					"timeout no unit": {map[string]tftypes.Value{"workflow_id": str(pricing), "timeout": str("30")}, "is not a positive duration"},
				} {
					v, err := pp.actionServer().ValidateActionConfig(context.Background(), &tfprotov6.ValidateActionConfigRequest{
						ActionType: "lowcode_workflow_trigger", Config: pp.triggerConfig(tc.attrs)})
					if err != nil {
						t.Fatal(err)
					}
					if len(v.Diagnostics) != 1 || !strings.Contains(v.Diagnostics[0].Detail, tc.want) {
						t.Errorf("%s: %+v, want one error saying %q", name, v.Diagnostics, tc.want)
					}
				}
				return nil
			},
		}},
	})
}

// With Terraform 1.14+, the action runs after a create through an action trigger.
func TestAccWorkflowTriggerAction_afterCreate(t *testing.T) {
	p := newAccPlatform(t, fastRuntime())
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfcli.SkipUnlessSupported(tfcli.Actions)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: p.config(pricingWorkflows + `
action "lowcode_workflow_trigger" "smoke_test" {
  config {
    workflow_id = lowcode_workflow.pricing.id
    input       = jsonencode({ order_id = "smoke", amount = 21 })
    wait        = true
    timeout     = "30s"
  }
}

resource "terraform_data" "release" {
  input = lowcode_workflow.pricing.version
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.lowcode_workflow_trigger.smoke_test]
    }
  }
}
`),
			Check: func(s *terraform.State) error {
				id := s.RootModule().Resources["lowcode_workflow.pricing"].Primary.ID
				executions, err := client.Collect(p.API.ListExecutions(context.Background(), client.ExecutionFilter{WorkflowID: id}))
				if err != nil {
					return err
				}
				if len(executions) != 1 || executions[0].Status != api.ExecutionStatusSucceeded || executions[0].Input["order_id"] != "smoke" {
					t.Errorf("the smoke test's executions: %+v", executions)
				}
				return nil
			},
		}},
	})
}
