# The order-management system of the source document, as code: an application, its
# order-fulfillment workflow and CRM sync integration, webhooks for order and customer events,
# users with role assignments at application, workflow and data scope, the four data
# classification levels, and the workflow's monitoring targets.
#
# `make demo` applies this against a fresh local platform; see README.md.

terraform {
  required_providers {
    lowcode = {
      source = "lowcode-platform/lowcode"
    }
  }
}

provider "lowcode" {
  endpoint = var.endpoint
  api_key  = var.api_key
}

variable "endpoint" {
  description = "The platform's base URL."
  type        = string
  default     = "http://127.0.0.1:8080"
}

variable "api_key" {
  description = "An API key of a platform owner or admin."
  type        = string
  sensitive   = true
}

variable "receiver_url" {
  description = "Where the CRM and the webhook receiver listen (the demo starts one on loopback)."
  type        = string
  default     = "http://127.0.0.1:9090"
}

resource "lowcode_application" "order_management" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
  description = "Takes orders from the web shop and fulfils them"
  labels = {
    team = "orders"
  }
}

resource "lowcode_custom_integration" "crm_sync" {
  name        = "crm-sync"
  code_repo   = "github.com/company/crm-sync"
  api_version = "v2"
  description = "Keeps the CRM's customer and order records in step with the platform"
}

resource "lowcode_workflow" "order_fulfillment" {
  application_id = lowcode_application.order_management.id
  name           = "order-fulfillment"
  version        = "1.5.2"
  description    = "Validates a new order, prices it and syncs it to the CRM"

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
      name = "price"
      type = "transform"
      transform = {
        set = [
          { field = "total", expression = "amount * 1.2" },
          { field = "status", expression = "\"validated\"" },
        ]
      }
    },
    {
      name = "sync-to-crm"
      type = "http"
      http = {
        method       = "POST"
        url          = "${var.receiver_url}/crm/orders"
        body         = "{\"order_id\": order_id, \"total\": total, \"customer\": customer.email}"
        timeout_ms   = 5000
        result_field = "crm"
      }
    },
    {
      name = "announce"
      type = "emit"
      emit = {
        event_type = "order.fulfilled"
      }
    },
  ]
}

resource "lowcode_monitoring_target" "order_fulfillment" {
  workflow_id         = lowcode_workflow.order_fulfillment.id
  min_success_rate    = 99
  max_avg_duration_ms = 30000
  max_p99_latency_ms  = 500
  max_error_rate      = 0.1
  alerts              = true
}

resource "lowcode_webhook" "order_events" {
  application_id = lowcode_application.order_management.id
  event_types    = ["order.created", "order.fulfilled"]
  callback_url   = "${var.receiver_url}/webhooks/lowcode"
  description    = "Order events for the fulfilment dashboard"
}

resource "lowcode_webhook" "customer_updates" {
  event_types  = ["customer.updated"]
  callback_url = "${var.receiver_url}/webhooks/lowcode"
  description  = "Customer changes for the CRM"
}

# The four levels of the source document's classification table, each at its minimum.
locals {
  classification = {
    public       = { encryption = "none", access = "all", fields = ["product.name", "product.price"] }
    internal     = { encryption = "at-rest", access = "authenticated", fields = ["order_id", "status"] }
    confidential = { encryption = "at-rest+transit", access = "role-based", fields = ["customer.email", "customer.phone"] }
    restricted   = { encryption = "at-rest+transit+field-level", access = "need-to-know", fields = ["card_number", "**.ssn"] }
  }
}

resource "lowcode_classification_policy" "levels" {
  for_each = local.classification

  name           = "${each.key}-data"
  level          = each.key
  encryption     = each.value.encryption
  access         = each.value.access
  field_patterns = each.value.fields
}

resource "lowcode_user" "alice" {
  email        = "alice@example.com"
  display_name = "Alice (order operations)"
}

resource "lowcode_user" "bob" {
  email        = "bob@example.com"
  display_name = "Bob (payments)"
}

# Alice edits the order-management application; Bob may only view the fulfilment workflow,
# but he has need-to-know access to restricted data.
resource "lowcode_role_assignment" "alice_edits_orders" {
  user_id    = lowcode_user.alice.id
  role       = "editor"
  scope_type = "application"
  scope_id   = lowcode_application.order_management.id
}

resource "lowcode_role_assignment" "bob_views_fulfillment" {
  user_id    = lowcode_user.bob.id
  role       = "viewer"
  scope_type = "workflow"
  scope_id   = lowcode_workflow.order_fulfillment.id
}

resource "lowcode_role_assignment" "bob_restricted_data" {
  user_id    = lowcode_user.bob.id
  role       = "viewer"
  scope_type = "data"
  scope_id   = lowcode_classification_policy.levels["restricted"].id
}

output "application_id" {
  value = lowcode_application.order_management.id
}

output "workflow" {
  value = {
    id      = lowcode_workflow.order_fulfillment.id
    version = lowcode_workflow.order_fulfillment.version
    steps   = [for s in lowcode_workflow.order_fulfillment.steps : "${s.name} (${s.type})"]
  }
}

output "webhooks" {
  value = {
    order_events     = lowcode_webhook.order_events.id
    customer_updates = lowcode_webhook.customer_updates.id
  }
}

output "classification_policies" {
  value = { for level, p in lowcode_classification_policy.levels : level => p.id }
}

output "role_assignments" {
  value = [
    "alice: editor on application order-management",
    "bob: viewer on workflow order-fulfillment",
    "bob: need-to-know on restricted data",
  ]
}

# The webhook secret the platform generated for order events; the demo's receiver verifies
# signatures with it.
output "order_events_secret" {
  value     = lowcode_webhook.order_events.secret
  sensitive = true
}

output "customer_updates_secret" {
  value     = lowcode_webhook.customer_updates.secret
  sensitive = true
}
