# The monitoring targets for the order-fulfillment workflow: at least 99% of executions
# succeed, they take 30 s on average and 500 ms at the 99th percentile at most, and under
# 0.1% fail. A breach publishes a monitoring.target_breached event.
resource "lowcode_monitoring_target" "order_fulfillment" {
  workflow_id         = "wf_0193c1f2a4b87c3d9e0f112233445566"
  min_success_rate    = 99
  max_avg_duration_ms = 30000
  max_p99_latency_ms  = 500
  max_error_rate      = 0.1
  alerts              = true
}
