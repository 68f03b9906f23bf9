# Onboards a team onto the low-code platform: the application it builds on, the workflow that
# fulfils its orders (validate, price, sync to the CRM, announce), the webhooks that carry its
# events out, its members with their roles, and the classification of its data.

locals {
  application_name = coalesce(var.application_name, "${var.team}-orders")

  # The weakest protection each level allows (the platform refuses anything weaker).
  minimum_protection = {
    public       = { encryption = "none", access = "all" }
    internal     = { encryption = "at-rest", access = "authenticated" }
    confidential = { encryption = "at-rest+transit", access = "role-based" }
    restricted   = { encryption = "at-rest+transit+field-level", access = "need-to-know" }
  }

  # One role assignment per member on the application, and one per level of data a member
  # needs to know, keyed so that adding or removing one member touches only their grants.
  application_roles = {
    for handle, m in var.members : "${handle}/application" => {
      member = handle
      role   = m.role
    }
  }
  data_roles = merge([
    for handle, m in var.members : {
      for level in m.data_access : "${handle}/data/${level}" => {
        member = handle
        level  = level
      }
    }
  ]...)

  crm_headers = var.crm_token == null ? null : { Authorization = "Bearer ${var.crm_token}" }

  webhook_secret_keys = nonsensitive(toset(keys(var.webhook_secrets)))
}

resource "lowcode_application" "this" {
  name        = local.application_name
  environment = var.environment
  version     = var.application_version
  description = var.description
  labels = merge(var.labels, {
    team         = var.team
    "managed-by" = "terraform"
  })
}

resource "lowcode_workflow" "order_fulfillment" {
  application_id = lowcode_application.this.id
  name           = "order-fulfillment"
  version        = var.workflow_version
  description    = "Validates a new order, prices it, syncs it to the CRM and announces it"
  enabled        = var.workflow_enabled

  trigger = {
    type       = "event"
    event_type = var.order_created_event
  }

  steps = [
    {
      name = "check-amount"
      type = "validate"
      validate = {
        expression = "amount <= ${var.order_limit}"
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
        url          = var.crm_url
        headers      = local.crm_headers
        body         = "{\"order_id\": order_id, \"total\": total, \"customer\": customer.email}"
        timeout_ms   = var.crm_timeout_ms
        result_field = "crm"
      }
    },
    {
      name = "announce"
      type = "emit"
      emit = {
        event_type = var.order_fulfilled_event
      }
    },
  ]
}

resource "lowcode_webhook" "this" {
  for_each = var.webhooks

  application_id = lowcode_application.this.id
  callback_url   = each.value.url
  event_types    = each.value.event_types == null ? [var.order_created_event, var.order_fulfilled_event] : each.value.event_types
  description    = each.value.description != "" ? each.value.description : "${var.team}: ${each.key}"

  # Write-only: the secret reaches the platform but never the plan or the state.
  secret_wo         = contains(local.webhook_secret_keys, each.key) ? var.webhook_secrets[each.key] : null
  secret_wo_version = each.value.secret_version

  lifecycle {
    precondition {
      condition     = contains(local.webhook_secret_keys, each.key) == (each.value.secret_version != null)
      error_message = "webhook ${each.key}: give secret_version exactly when webhook_secrets has a secret for it (raise secret_version whenever the secret changes)."
    }
  }
}

resource "lowcode_classification_policy" "this" {
  for_each = var.classification

  name           = "${var.team}-${each.key}-data"
  application_id = lowcode_application.this.id
  level          = each.key
  encryption     = coalesce(each.value.encryption, local.minimum_protection[each.key].encryption)
  access         = coalesce(each.value.access, local.minimum_protection[each.key].access)
  field_patterns = each.value.fields
  description    = "The ${each.key} data of ${local.application_name}"
}

resource "lowcode_user" "member" {
  for_each = var.members

  email        = each.value.email
  display_name = each.value.display_name
}

resource "lowcode_role_assignment" "application" {
  for_each = local.application_roles

  user_id    = lowcode_user.member[each.value.member].id
  role       = each.value.role
  scope_type = "application"
  scope_id   = lowcode_application.this.id
}

resource "lowcode_role_assignment" "data" {
  for_each = local.data_roles

  user_id    = lowcode_user.member[each.value.member].id
  role       = "viewer"
  scope_type = "data"
  # try: a level missing from classification is reported by the precondition below.
  scope_id = try(lowcode_classification_policy.this[each.value.level].id, null)

  lifecycle {
    precondition {
      condition     = contains(keys(var.classification), each.value.level)
      error_message = "member ${each.value.member} has data_access to ${each.value.level} data, but classification has no ${each.value.level} level."
    }
  }
}
