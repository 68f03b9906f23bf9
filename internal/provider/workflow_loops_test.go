package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// A workflow whose emit step emits the event type that triggers it is refused by the platform
// when applied; the diagnostic names the step, the event type and what to change, and the
// refused workflow never enters state (the application beside it does).
func TestAccWorkflowResource_selfLoopRefused(t *testing.T) {
	p := newAccPlatform(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: p.config(orderApplication + `
resource "lowcode_workflow" "echo" {
  application_id = lowcode_application.orders.id
  name           = "echo"
  version        = "1.0.0"
  trigger = {
    type       = "event"
    event_type = "order.created"
  }
  steps = [{
    name = "announce"
    type = "emit"
    emit = { event_type = "order.created" }
  }]
}
`),
			ExpectError: phrase(`steps[0].emit.event_type: step "announce" emits order.created, the event type that triggers this workflow, ` +
				`so every run would start another, for ever; emit another event type, or trigger the workflow on another one`),
		}},
	})
}
