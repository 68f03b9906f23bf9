data "lowcode_application" "order_management" {
  name        = "order-management"
  environment = "production"
}

data "lowcode_workflow" "order_fulfillment" {
  application_id = data.lowcode_application.order_management.id
  name           = "order-fulfillment"
}

# How order fulfillment did over the last hour, against its monitoring target.
data "lowcode_workflow_metrics" "order_fulfillment" {
  workflow_id = data.lowcode_workflow.order_fulfillment.id
  window      = "1h"
}

output "order_fulfillment_success_rate" {
  value = data.lowcode_workflow_metrics.order_fulfillment.success_rate
}

output "order_fulfillment_breaches" {
  value = [for b in data.lowcode_workflow_metrics.order_fulfillment.breaches : "${b.metric}: ${b.actual} (target ${b.threshold})"]
}
