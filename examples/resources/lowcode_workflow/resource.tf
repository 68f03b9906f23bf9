resource "lowcode_application" "order_management" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
}

# The order-fulfillment workflow: reject orders over the limit, sync the order to the CRM,
# then announce it to the rest of the platform.
resource "lowcode_workflow" "order_fulfillment" {
  application_id = lowcode_application.order_management.id
  name           = "order-fulfillment"
  version        = "1.5.2"
  description    = "Validates new orders, syncs them to the CRM and announces them"

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
    {
      name = "crm_sync"
      type = "http"
      http = {
        method     = "POST"
        url        = "https://crm.example.com/api/v2/orders"
        headers    = { X-Request-Source = "terraform" } # plain: every reader of the workflow sees them
        body       = "{order_id: order_id, amount: amount, customer: customer}"
        timeout_ms = 5000
        # result_field defaults to the step's name: the CRM's answer lands in crm_sync (status and body).
      }
    },
    {
      name = "announce"
      type = "emit"
      emit = {
        event_type = "order.validated"
        data       = "{order_id: order_id, crm_status: crm_sync.status}"
      }
    },
  ]

  # Credentials go in the write-only secret headers (Terraform 1.11+): sealed by the platform,
  # never returned, never in the plan or state. Raise the version to send new values; after
  # an import, set both so that the next apply sends them.
  secret_headers_wo = {
    crm_sync = { Authorization = "Bearer ${var.crm_token}" }
  }
  secret_headers_wo_version = 1
}

variable "crm_token" {
  description = "The CRM's API token."
  type        = string
  sensitive   = true
}
