resource "lowcode_application" "order_management" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
}

resource "lowcode_workflow" "order_fulfillment" {
  application_id = lowcode_application.order_management.id
  name           = "order-fulfillment"
  version        = "1.5.2"

  trigger = {
    type       = "event"
    event_type = "order.created"
  }

  steps = [
    {
      name = "check-amount"
      type = "validate"
      validate = {
        expression = "amount <= 10000"
        message    = "Amount exceeds limit"
      }
    },
  ]
}

# The monitoring targets for the order-fulfillment workflow: at least 99% of executions
# succeed, they take 30 s on average and 500 ms at the 99th percentile at most, and under
# 0.1% fail. A breach publishes a monitoring.target_breached event.
resource "lowcode_monitoring_target" "order_fulfillment" {
  workflow_id         = lowcode_workflow.order_fulfillment.id
  min_success_rate    = 99
  max_avg_duration_ms = 30000
  max_p99_latency_ms  = 500
  max_error_rate      = 0.1
  alerts              = true
}
