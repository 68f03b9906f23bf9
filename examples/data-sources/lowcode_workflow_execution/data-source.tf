variable "execution_id" {
  description = "The execution to inspect, as reported by the lowcode_workflow_trigger action or the platform's API."
  type        = string
}

data "lowcode_workflow_execution" "last_order" {
  id = var.execution_id
}

output "last_order_status" {
  value = data.lowcode_workflow_execution.last_order.status
}

# What the CRM answered, from the order-fulfillment workflow's http step.
output "last_order_crm_status" {
  value = try(jsondecode(data.lowcode_workflow_execution.last_order.output).crm_sync.status, null)
}

# The steps that failed, with their errors.
output "last_order_failures" {
  value = {
    for s in data.lowcode_workflow_execution.last_order.steps : s.name => s.error if s.status == "failed"
  }
}
