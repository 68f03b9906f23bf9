package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccMonitoringTargetDataSource(t *testing.T) {
	p := newAccPlatform(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: p.config(oneOfEachResource + `
data "lowcode_monitoring_target" "fulfillment" {
  workflow_id = lowcode_monitoring_target.fulfillment.workflow_id
}`),
			ConfigStateChecks: sameAttributes("data.lowcode_monitoring_target.fulfillment", tfjsonpath.New, "lowcode_monitoring_target.fulfillment",
				"id", "workflow_id", "min_success_rate", "max_avg_duration_ms", "max_p99_latency_ms", "max_error_rate", "alerts", "etag", "updated_at"),
		}},
	})
}

func TestAccMonitoringTargetDataSource_errors(t *testing.T) {
	p := newAccPlatform(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      p.config(`data "lowcode_monitoring_target" "x" {}`),
				ExpectError: regexp.MustCompile(`The argument "workflow_id" is required`),
			},
			{
				// The workflow exists but has no target.
				Config: p.config(orderApplication + `
resource "lowcode_workflow" "untargeted" {
  application_id = lowcode_application.orders.id
  name           = "untargeted"
  version        = "1.0.0"
  trigger        = { type = "manual" }
  steps          = [{ name = "check", type = "validate", validate = { expression = "true", message = "never" } }]
}

data "lowcode_monitoring_target" "x" {
  workflow_id = lowcode_workflow.untargeted.id
}`),
				ExpectError: regexp.MustCompile(`(?s)Monitoring target not found.*There is no monitoring target with workflow_id\s+"wf_[0-9a-f]{32}".*has no monitoring target`),
			},
		},
	})
}
