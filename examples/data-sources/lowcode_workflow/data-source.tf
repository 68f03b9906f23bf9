data "lowcode_application" "order_management" {
  name        = "order-management"
  environment = "production"
}

# The order-fulfillment workflow, which another team manages: which version is live, and
# what it calls.
data "lowcode_workflow" "order_fulfillment" {
  application_id = data.lowcode_application.order_management.id
  name           = "order-fulfillment"
}

output "order_fulfillment_version" {
  value = data.lowcode_workflow.order_fulfillment.version
}

output "order_fulfillment_calls" {
  value = [for s in data.lowcode_workflow.order_fulfillment.steps : s.http.url if s.type == "http"]
}
