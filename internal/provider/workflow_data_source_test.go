package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// workflowDataAttributeNames are the attributes the workflow data sources share with
// lowcode_workflow, nested trigger and steps included.
var workflowDataAttributeNames = []string{"id", "application_id", "name", "version", "description", "enabled",
	"trigger", "steps", "etag", "created_at", "last_modified"}

// A second, disabled workflow of the same application, with a transform step.
const pricingWorkflow = `
resource "lowcode_workflow" "pricing" {
  application_id = lowcode_application.orders.id
  name           = "order-pricing"
  version        = "0.1.0"
  enabled        = false
  trigger        = { type = "manual" }
  steps = [{
    name      = "price"
    type      = "transform"
    transform = { set = [{ field = "total", expression = "quantity * unit_price" }] }
  }]
}
`

func TestAccWorkflowDataSources(t *testing.T) {
	p := newAccPlatform(t)
	checks := append(
		sameAttributes("data.lowcode_workflow.by_id", tfjsonpath.New, workflowAddr, workflowDataAttributeNames...),
		sameAttributes("data.lowcode_workflow.by_name", tfjsonpath.New, "lowcode_workflow.pricing", workflowDataAttributeNames...)...)
	checks = append(checks, sameAttributes("data.lowcode_workflows.disabled", firstElement("workflows"), "lowcode_workflow.pricing", workflowDataAttributeNames...)...)
	checks = append(checks,
		statecheck.ExpectKnownValue("data.lowcode_workflows.all", tfjsonpath.New("workflows"), knownvalue.ListSizeExact(2)),
		statecheck.ExpectKnownValue("data.lowcode_workflows.disabled", tfjsonpath.New("workflows"), knownvalue.ListSizeExact(1)),
		statecheck.ExpectKnownValue("data.lowcode_workflows.none", tfjsonpath.New("workflows"), knownvalue.ListSizeExact(0)),
		statecheck.ExpectKnownValue("data.lowcode_workflow.by_id", tfjsonpath.New("steps").AtSliceIndex(1).AtMapKey("http").AtMapKey("headers"),
			knownvalue.MapExact(map[string]knownvalue.Check{"X-Source": knownvalue.StringExact("lowcode")})),
	)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: p.config(orderFulfillment() + pricingWorkflow + `
data "lowcode_workflow" "by_id" {
  id = lowcode_workflow.fulfillment.id
}

data "lowcode_workflow" "by_name" {
  application_id = lowcode_application.orders.id
  name           = "order-pricing"
  depends_on     = [lowcode_workflow.pricing]
}

data "lowcode_workflows" "all" {
  application_id = lowcode_application.orders.id
  depends_on     = [lowcode_workflow.fulfillment, lowcode_workflow.pricing]
}

data "lowcode_workflows" "disabled" {
  application_id = lowcode_application.orders.id
  enabled        = false
  depends_on     = [lowcode_workflow.fulfillment, lowcode_workflow.pricing]
}

data "lowcode_workflows" "none" {
  name       = "no-such-workflow"
  depends_on = [lowcode_workflow.fulfillment, lowcode_workflow.pricing]
}`),
			ConfigStateChecks: checks,
		}},
	})
}

func TestAccWorkflowDataSource_errors(t *testing.T) {
	p := newAccPlatform(t)
	cases := []struct {
		name, body string
		want       *regexp.Regexp
	}{
		{"neither", ``, regexp.MustCompile(`(?s)Missing Attribute Configuration.*Exactly one of these attributes must be configured: \[id,name\]`)},
		{"both", `id = "wf_1"
  name = "order-fulfillment"
  application_id = "app_1"`, regexp.MustCompile(`(?s)Invalid Attribute Combination.*Exactly one of these attributes must be configured: \[id,name\]`)},
		{"name without application", `name = "order-fulfillment"`,
			regexp.MustCompile(`(?s)Invalid Attribute Combination.*These attributes must be configured together: \[name,application_id\]`)},
		{"no such id", `id = "wf_00000000000000000000000000000000"`,
			regexp.MustCompile(`(?s)Workflow not found.*There is no workflow with id\s+"wf_00000000000000000000000000000000"`)},
		{"no such name", `name = "order-fulfillment"
  application_id = "app_00000000000000000000000000000000"`,
			regexp.MustCompile(`(?s)Workflow not found.*Expected one workflow named "order-fulfillment" in application\s+app_00000000000000000000000000000000 on the platform, found 0`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      p.config(`data "lowcode_workflow" "x" {` + "\n  " + tc.body + "\n}"),
					ExpectError: tc.want,
				}},
			})
		})
	}
}
