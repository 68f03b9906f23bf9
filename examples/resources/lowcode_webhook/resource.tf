resource "lowcode_application" "order_management" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
}

# The platform generates the signing secret; it is kept (sensitive) in `secret`
# for the receiver's configuration.
resource "lowcode_webhook" "order_events" {
  application_id = lowcode_application.order_management.id
  event_types    = ["order.created", "customer.updated"]
  callback_url   = "https://orders.example.com/webhooks/lowcode"
  description    = "New orders and customer changes for the fulfilment service"
}

# Or bring your own secret: write-only (Terraform 1.11+), never stored in the
# plan or state. To rotate it, change the secret and raise secret_wo_version;
# the previous secret stays valid for 24 hours.
variable "crm_webhook_secret" {
  description = "The signing secret the CRM receiver verifies deliveries with."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "lowcode_webhook" "crm_sync" {
  event_types       = ["customer.updated"]
  callback_url      = "https://crm.example.com/hooks/lowcode"
  secret_wo         = var.crm_webhook_secret
  secret_wo_version = 1
}

output "order_events_signing_secret" {
  value     = lowcode_webhook.order_events.secret
  sensitive = true
}
