data "lowcode_application" "order_management" {
  name        = "order-management"
  environment = "production"
}

data "lowcode_workflow" "order_fulfillment" {
  application_id = data.lowcode_application.order_management.id
  name           = "order-fulfillment"
}

# The thresholds the order-fulfillment workflow is held to.
data "lowcode_monitoring_target" "order_fulfillment" {
  workflow_id = data.lowcode_workflow.order_fulfillment.id
}

output "order_fulfillment_min_success_rate" {
  value = data.lowcode_monitoring_target.order_fulfillment.min_success_rate
}
