# Reads back, through the platform's API, what the module's integration run created: the
# roles a member holds and how the platform classifies an order with the module's policies.

terraform {
  required_providers {
    lowcode = {
      source = "lowcode-platform/lowcode"
    }
  }
}

variable "user_id" {
  description = "The member whose roles to read."
  type        = string
}

variable "application_id" {
  description = "The application whose policies classify the order."
  type        = string
}

data "lowcode_user_access" "member" {
  user_id = var.user_id
}

data "lowcode_classification" "order" {
  application_id = var.application_id
  data = jsonencode({
    order_id = "ord-1"
    amount   = 250
    customer = { email = "jane@example.com" }
    payment  = { card_number = "4111111111111111" }
  })
}

output "grants" {
  description = "The member's roles, as `role scope_type scope_id`."
  value       = sort([for g in data.lowcode_user_access.member.grants : "${g.role} ${g.scope_type} ${coalesce(g.scope_id, "-")}"])
}

output "order_level" {
  description = "The classification level of the sample order."
  value       = data.lowcode_classification.order.level
}

output "classified_fields" {
  description = "The sample order's classified fields, as `path=level`."
  value       = { for f in data.lowcode_classification.order.fields : f.path => f.level }
}
