package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

const monitoringAddr = "lowcode_monitoring_target.fulfillment"

// seedMonitoring is the seed's monitoring configuration for the order-fulfillment workflow:
// success rate above 99%, average duration under 30 s, p99 under 500 ms, errors under 0.1%.
const seedMonitoring = `
resource "lowcode_monitoring_target" "fulfillment" {
  workflow_id         = lowcode_workflow.fulfillment.id
  min_success_rate    = 99
  max_avg_duration_ms = 30000
  max_p99_latency_ms  = 500
  max_error_rate      = 0.1
}
`

func TestAccMonitoringTargetResource(t *testing.T) {
	p := newAccPlatform(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	workflow := orderFulfillment()
	updated := workflow + `
resource "lowcode_monitoring_target" "fulfillment" {
  workflow_id      = lowcode_workflow.fulfillment.id
  min_success_rate = 99.5
  max_error_rate   = 0.1
  alerts           = false
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("lowcode_monitoring_target", existsOnPlatform(p.API.GetMonitoringTarget)),
		Steps: []resource.TestStep{
			{
				Config: p.config(workflow + seedMonitoring),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(monitoringAddr, tfjsonpath.New("id")),
					statecheck.CompareValuePairs(monitoringAddr, tfjsonpath.New("id"), workflowAddr, tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs(monitoringAddr, tfjsonpath.New("workflow_id"), workflowAddr, tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(monitoringAddr, tfjsonpath.New("min_success_rate"), knownvalue.Float64Exact(99)),
					statecheck.ExpectKnownValue(monitoringAddr, tfjsonpath.New("max_avg_duration_ms"), knownvalue.Int64Exact(30000)),
					statecheck.ExpectKnownValue(monitoringAddr, tfjsonpath.New("max_p99_latency_ms"), knownvalue.Int64Exact(500)),
					statecheck.ExpectKnownValue(monitoringAddr, tfjsonpath.New("max_error_rate"), knownvalue.Float64Exact(0.1)),
					statecheck.ExpectKnownValue(monitoringAddr, tfjsonpath.New("alerts"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(monitoringAddr, tfjsonpath.New("etag"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(monitoringAddr, tfjsonpath.New("updated_at"), knownvalue.NotNull()),
				},
			},
			{
				// Import by the workflow's id.
				ResourceName:            monitoringAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				Config: p.config(updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(monitoringAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(monitoringAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(monitoringAddr, tfjsonpath.New("min_success_rate"), knownvalue.Float64Exact(99.5)),
					statecheck.ExpectKnownValue(monitoringAddr, tfjsonpath.New("max_avg_duration_ms"), knownvalue.Null()),
					statecheck.ExpectKnownValue(monitoringAddr, tfjsonpath.New("max_p99_latency_ms"), knownvalue.Null()),
					statecheck.ExpectKnownValue(monitoringAddr, tfjsonpath.New("alerts"), knownvalue.Bool(false)),
				},
			},
			{
				Config:           p.config(updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// Removing the target keeps the workflow.
				Config: p.config(workflow),
				Check: func(s *terraform.State) error {
					found, err := existsOnPlatform(p.API.GetMonitoringTarget)(s.RootModule().Resources[workflowAddr].Primary.ID)
					if err == nil && found {
						t.Error("the monitoring target still exists after it was removed from the configuration")
					}
					return err
				},
			},
		},
	})
}

func TestAccMonitoringTargetResource_drift(t *testing.T) {
	p := newAccPlatform(t)
	ctx := context.Background()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: driftSteps(monitoringAddr, p.config(orderFulfillment()+seedMonitoring),
			func(id string) {
				mt, err := p.API.GetMonitoringTarget(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := p.API.PutMonitoringTarget(ctx, id, mt.Etag, api.MonitoringTargetInput{
					MinSuccessRate: new(95.0), MaxErrorRate: mt.MaxErrorRate, Alerts: new(false)}); err != nil {
					t.Fatal(err)
				}
			},
			func(id string) {
				if err := p.API.DeleteMonitoringTarget(ctx, id, ""); err != nil {
					t.Fatal(err)
				}
			},
			plancheck.ExpectKnownValue(monitoringAddr, tfjsonpath.New("min_success_rate"), knownvalue.Float64Exact(99)),
		),
	})
}

// TestAccMonitoringTargetResource_existing proves a target made outside Terraform is not taken
// over silently by a create: the user is told to import it.
func TestAccMonitoringTargetResource_existing(t *testing.T) {
	p := newAccPlatform(t)
	ctx := context.Background()
	workflow := orderFulfillment()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: p.config(workflow),
				Check: func(s *terraform.State) error {
					_, err := p.API.PutMonitoringTarget(ctx, s.RootModule().Resources[workflowAddr].Primary.ID, "",
						api.MonitoringTargetInput{MinSuccessRate: new(90.0)})
					return err
				},
			},
			{
				Config:      p.config(workflow + seedMonitoring),
				ExpectError: phrase(`the workflow already has a monitoring target`),
			},
		},
	})
}

func TestAccMonitoringTargetResource_validation(t *testing.T) {
	p := newAccPlatform(t)
	expectPlanErrors(t, p, inBlock(`resource "lowcode_monitoring_target" "bad"`, []planErrorCase{
		{"no threshold", `workflow_id = "wf_1"
  alerts = false`, phrase(`At least one of these attributes must be configured: [min_success_rate,max_avg_duration_ms,max_p99_latency_ms,max_error_rate]`)},
		{"success rate", `workflow_id = "wf_1"
  min_success_rate = 101`, phrase(`Attribute min_success_rate value must be between 0.000000 and 100.000000, got: 101.000000`)},
		{"error rate", `workflow_id = "wf_1"
  max_error_rate = -1`, phrase(`Attribute max_error_rate value must be between 0.000000 and 100.000000, got: -1.000000`)},
		{"avg duration", `workflow_id = "wf_1"
  max_avg_duration_ms = 0`, phrase(`Attribute max_avg_duration_ms value must be at least 1, got: 0`)},
		{"p99", `workflow_id = "wf_1"
  max_p99_latency_ms = 0`, phrase(`Attribute max_p99_latency_ms value must be at least 1, got: 0`)},
	}))
}
