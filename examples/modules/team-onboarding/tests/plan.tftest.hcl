# Plan-only runs on a mocked provider: no platform, no credentials. They check what the module
# plans for given inputs and that bad inputs are refused with the module's own messages.

mock_provider "lowcode" {
  # Ids in the platform's shapes, for the one run that applies against the mock.
  mock_resource "lowcode_application" {
    defaults = {
      id = "app_00000000000000000000000000000001"
    }
  }
  mock_resource "lowcode_classification_policy" {
    defaults = {
      id = "cls_00000000000000000000000000000001"
    }
  }
  mock_resource "lowcode_user" {
    defaults = {
      id = "usr_00000000000000000000000000000001"
    }
  }
  mock_resource "lowcode_webhook" {
    defaults = {
      secret = "whsec_bW9ja2VkLXNlY3JldC1mb3ItdGVzdHM="
    }
  }
}

variables {
  team                = "orders"
  environment         = "production"
  application_version = "2.3.0"
  crm_url             = "https://crm.example.com/api/orders"
  members = {
    alice = { email = "alice@example.com", role = "editor" }
    bob   = { email = "bob@example.com", role = "viewer", data_access = ["restricted", "confidential"] }
  }
  webhooks = {
    dashboard = { url = "https://dashboard.example.com/hooks/lowcode" }
  }
}

run "defaults" {
  command = plan

  assert {
    condition     = lowcode_application.this.name == "orders-orders" && lowcode_application.this.environment == "production"
    error_message = "the application is not named after the team: ${lowcode_application.this.name}"
  }

  assert {
    condition     = lowcode_application.this.labels == tomap({ team = "orders", "managed-by" = "terraform" })
    error_message = "the application's labels are ${jsonencode(lowcode_application.this.labels)}"
  }

  assert {
    condition     = [for s in lowcode_workflow.order_fulfillment.steps : s.type] == ["validate", "transform", "http", "emit"]
    error_message = "the workflow's steps are not validate, transform, http, emit"
  }

  assert {
    condition     = lowcode_workflow.order_fulfillment.steps[0].validate.expression == "amount <= 10000" && lowcode_workflow.order_fulfillment.steps[0].validate.message == "Amount exceeds limit"
    error_message = "the default order limit is not 10000"
  }

  assert {
    condition     = lowcode_workflow.order_fulfillment.trigger.event_type == "order.created" && lowcode_workflow.order_fulfillment.steps[3].emit.event_type == "order.fulfilled"
    error_message = "the workflow does not run on order.created and announce order.fulfilled"
  }

  assert {
    condition     = lowcode_workflow.order_fulfillment.steps[2].http.url == "https://crm.example.com/api/orders" && lowcode_workflow.order_fulfillment.steps[2].http.method == "POST"
    error_message = "the CRM call is not a POST to crm_url"
  }

  assert {
    condition     = toset(lowcode_webhook.this["dashboard"].event_types) == toset(["order.created", "order.fulfilled"]) && lowcode_webhook.this["dashboard"].description == "orders: dashboard"
    error_message = "a webhook without event_types does not get the workflow's two events"
  }

  assert {
    condition     = keys(lowcode_classification_policy.this) == ["confidential", "restricted"]
    error_message = "the default classification is not confidential and restricted: ${jsonencode(keys(lowcode_classification_policy.this))}"
  }

  assert {
    condition     = lowcode_classification_policy.this["confidential"].encryption == "at-rest+transit" && lowcode_classification_policy.this["confidential"].access == "role-based"
    error_message = "confidential data does not default to its level's minimum protection"
  }

  assert {
    condition     = keys(lowcode_role_assignment.application) == ["alice/application", "bob/application"] && keys(lowcode_role_assignment.data) == ["bob/data/confidential", "bob/data/restricted"]
    error_message = "the planned role assignments are not one per member and one per level of data_access"
  }

  assert {
    condition     = lowcode_role_assignment.application["alice/application"].role == "editor" && lowcode_role_assignment.data["bob/data/restricted"].role == "viewer"
    error_message = "the planned roles are not the members' roles"
  }
}

run "custom_settings" {
  command = plan

  variables {
    application_name      = "order-management"
    labels                = { "cost-center" = "4711", team = "overridden" }
    order_limit           = 2500
    crm_token             = "crm-secret-token"
    workflow_enabled      = false
    order_created_event   = "shop.order_placed"
    order_fulfilled_event = "shop.order_done"
    classification = {
      restricted   = { fields = ["**.card_number", "ssn"], access = "need-to-know" }
      confidential = { fields = ["customer.email"] }
      internal     = { fields = ["order_id"], encryption = "at-rest+transit" }
    }
  }

  assert {
    condition     = lowcode_application.this.name == "order-management" && lowcode_application.this.labels["cost-center"] == "4711" && lowcode_application.this.labels["team"] == "orders"
    error_message = "application_name or labels were not applied, or a label overrode the team label"
  }

  assert {
    condition     = lowcode_workflow.order_fulfillment.steps[0].validate.expression == "amount <= 2500" && !lowcode_workflow.order_fulfillment.enabled
    error_message = "the order limit or enabled flag was not applied"
  }

  assert {
    condition     = nonsensitive(lowcode_workflow.order_fulfillment.steps[2].http.headers["Authorization"] == "Bearer crm-secret-token")
    error_message = "the CRM token is not sent as a bearer token"
  }

  assert {
    condition     = lowcode_workflow.order_fulfillment.trigger.event_type == "shop.order_placed" && toset(lowcode_webhook.this["dashboard"].event_types) == toset(["shop.order_placed", "shop.order_done"])
    error_message = "the event names were not applied to the trigger and the webhooks"
  }

  assert {
    condition     = lowcode_classification_policy.this["internal"].encryption == "at-rest+transit" && lowcode_classification_policy.this["internal"].access == "authenticated"
    error_message = "a stronger encryption for internal data was not applied, or its access is not the minimum"
  }
}

# Applied against the mock: the outputs wire the platform's ids together.
run "outputs" {
  command = apply

  assert {
    condition     = output.application_id == "app_00000000000000000000000000000001" && lowcode_workflow.order_fulfillment.application_id == output.application_id
    error_message = "the workflow is not in the team's application"
  }

  assert {
    condition     = alltrue([for r in lowcode_role_assignment.application : r.scope_type == "application" && r.scope_id == output.application_id])
    error_message = "the members' roles are not on the team's application"
  }

  assert {
    condition     = alltrue([for r in lowcode_role_assignment.data : r.scope_type == "data" && r.scope_id == "cls_00000000000000000000000000000001"])
    error_message = "the data roles are not on the classification policies"
  }

  assert {
    condition     = output.user_ids == { alice = "usr_00000000000000000000000000000001", bob = "usr_00000000000000000000000000000001" }
    error_message = "user_ids is ${jsonencode(output.user_ids)}"
  }

  assert {
    condition     = keys(output.role_assignment_ids) == ["alice/application", "bob/application", "bob/data/confidential", "bob/data/restricted"]
    error_message = "role_assignment_ids is keyed ${jsonencode(keys(output.role_assignment_ids))}"
  }

  assert {
    condition     = nonsensitive(output.webhook_secrets["dashboard"]) == "whsec_bW9ja2VkLXNlY3JldC1mb3ItdGVzdHM="
    error_message = "webhook_secrets does not hand out the generated secret"
  }
}

run "webhook_secret_needs_version" {
  command = plan

  variables {
    webhook_secrets = { dashboard = "a-signing-secret-of-at-least-24-characters" }
  }

  expect_failures = [lowcode_webhook.this]
}

run "data_access_needs_the_level" {
  command = plan

  variables {
    members = {
      bob = { email = "bob@example.com", role = "viewer", data_access = ["internal"] }
    }
  }

  expect_failures = [lowcode_role_assignment.data]
}

# Every constrained input refuses a bad value with the module's message.
run "bad_team" {
  command = plan

  variables {
    team = "Order Team"
  }

  expect_failures = [var.team]
}

run "bad_environment" {
  command = plan

  variables {
    environment = "prod"
  }

  expect_failures = [var.environment]
}

run "bad_application_version" {
  command = plan

  variables {
    application_version = "2.3"
  }

  expect_failures = [var.application_version]
}

run "bad_workflow_version" {
  command = plan

  variables {
    workflow_version = "v1.5.02"
  }

  expect_failures = [var.workflow_version]
}

run "bad_application_name" {
  command = plan

  variables {
    application_name = "order management"
  }

  expect_failures = [var.application_name]
}

run "bad_order_limit" {
  command = plan

  variables {
    order_limit = 0
  }

  expect_failures = [var.order_limit]
}

run "crm_url_must_be_https" {
  command = plan

  variables {
    crm_url = "http://crm.example.com/api/orders"
  }

  expect_failures = [var.crm_url]
}

run "crm_url_without_credentials" {
  command = plan

  variables {
    crm_url = "https://user:pass@crm.example.com/api/orders"
  }

  expect_failures = [var.crm_url]
}

run "bad_event_name" {
  command = plan

  variables {
    order_created_event = "OrderCreated"
  }

  expect_failures = [var.order_created_event]
}

run "bad_member_email" {
  command = plan

  variables {
    members = {
      alice = { email = "alice.example.com", role = "editor" }
    }
  }

  expect_failures = [var.members]
}

run "duplicate_member_email" {
  command = plan

  variables {
    members = {
      alice  = { email = "alice@example.com", role = "editor" }
      alice2 = { email = "Alice@Example.com", role = "viewer" }
    }
  }

  expect_failures = [var.members]
}

run "member_role_not_owner" {
  command = plan

  variables {
    members = {
      alice = { email = "alice@example.com", role = "owner" }
    }
  }

  expect_failures = [var.members]
}

run "bad_data_access_level" {
  command = plan

  variables {
    members = {
      alice = { email = "alice@example.com", role = "viewer", data_access = ["secret"] }
    }
  }

  expect_failures = [var.members]
}

run "bad_webhook_url" {
  command = plan

  variables {
    webhooks = {
      dashboard = { url = "dashboard.example.com/hooks" }
    }
  }

  expect_failures = [var.webhooks]
}

run "bad_webhook_event_type" {
  command = plan

  variables {
    webhooks = {
      dashboard = { url = "https://dashboard.example.com/hooks", event_types = ["Order Created"] }
    }
  }

  expect_failures = [var.webhooks]
}

run "short_webhook_secret" {
  command = plan

  variables {
    webhooks        = { dashboard = { url = "https://dashboard.example.com/hooks", secret_version = 1 } }
    webhook_secrets = { dashboard = "too-short" }
  }

  expect_failures = [var.webhook_secrets]
}

run "bad_classification_level" {
  command = plan

  variables {
    classification = {
      secret = { fields = ["ssn"] }
    }
  }

  expect_failures = [var.classification]
}

run "bad_classification_encryption" {
  command = plan

  variables {
    classification = {
      restricted = { fields = ["ssn"], encryption = "aes" }
    }
  }

  expect_failures = [var.classification]
}

run "empty_classification_fields" {
  command = plan

  variables {
    classification = {
      internal = { fields = [] }
    }
  }

  expect_failures = [var.classification]
}
