variable "order_events_webhook_id" {
  description = "The id of the webhook that delivers order events."
  type        = string
}

data "lowcode_webhook" "order_events" {
  id = var.order_events_webhook_id
}

# The platform deactivates a webhook whose receiver answers 410 Gone.
output "order_events_delivery" {
  value = data.lowcode_webhook.order_events.active ? "active" : "deactivated: ${coalesce(data.lowcode_webhook.order_events.disabled_reason, "by a user")}"
}
