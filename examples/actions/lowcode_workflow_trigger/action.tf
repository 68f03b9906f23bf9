data "lowcode_application" "order_management" {
  name        = "order-management"
  environment = "production"
}

data "lowcode_workflow" "order_fulfillment" {
  application_id = data.lowcode_application.order_management.id
  name           = "order-fulfillment"
}

# A smoke test: run an order through the workflow and fail unless it succeeds.
# Run it by hand with `terraform apply -invoke=action.lowcode_workflow_trigger.smoke_test`,
# or after every change of the workflow with an action trigger (below).
action "lowcode_workflow_trigger" "smoke_test" {
  config {
    workflow_id = data.lowcode_workflow.order_fulfillment.id
    input = jsonencode({
      order_id = "smoke-test"
      amount   = 25
      customer = { email = "qa@example.com" }
    })
    wait    = true
    timeout = "2m"
  }
}

resource "terraform_data" "order_fulfillment_release" {
  input = data.lowcode_workflow.order_fulfillment.version

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.lowcode_workflow_trigger.smoke_test]
    }
  }
}
