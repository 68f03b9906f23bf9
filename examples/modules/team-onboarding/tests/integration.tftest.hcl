# Integration runs: apply the module against a real platform, check what it made, change it in
# place, read it back through the API. The provider reads LOWCODE_ENDPOINT and LOWCODE_API_KEY
# (an owner's or admin's key): run these against a throw-away platform, never a shared one.
# `terraform test` destroys everything it created when the file is done.

provider "lowcode" {}

variables {
  team                = "payments"
  environment         = "staging"
  application_version = "2.3.0"
  workflow_version    = "1.5.2"
  crm_url             = "https://crm.example.com/api/orders"
  crm_token           = "crm-test-token"
  members = {
    alice = { email = "alice@example.com", display_name = "Alice (order operations)", role = "editor" }
    bob   = { email = "bob@example.com", role = "viewer", data_access = ["restricted"] }
  }
  webhooks = {
    dashboard = { url = "https://dashboard.example.com/hooks/lowcode" }
    crm = {
      url            = "https://crm.example.com/hooks/lowcode"
      event_types    = ["order.fulfilled"]
      secret_version = 1
    }
  }
  webhook_secrets = {
    crm = "a-signing-secret-of-at-least-24-characters"
  }
}

run "onboard" {
  command = apply

  assert {
    condition     = startswith(output.application_id, "app_") && output.application.name == "payments-orders"
    error_message = "the application was not created as payments-orders: ${jsonencode(output.application)}"
  }

  assert {
    condition     = lowcode_application.this.labels["team"] == "payments" && lowcode_application.this.labels["managed-by"] == "terraform"
    error_message = "the application's labels do not name the team"
  }

  assert {
    condition = output.workflow.steps == [
      "check-amount (validate)",
      "price (transform)",
      "sync-to-crm (http)",
      "announce (emit)",
    ]
    error_message = "the workflow's steps are ${jsonencode(output.workflow.steps)}"
  }

  assert {
    condition     = lowcode_workflow.order_fulfillment.steps[0].validate.expression == "amount <= 10000" && lowcode_workflow.order_fulfillment.steps[0].validate.message == "Amount exceeds limit"
    error_message = "the workflow does not refuse orders above the limit"
  }

  assert {
    condition     = output.workflow.trigger == "order.created" && lowcode_workflow.order_fulfillment.steps[3].emit.event_type == "order.fulfilled" && lowcode_workflow.order_fulfillment.enabled
    error_message = "the workflow does not run on order.created and announce order.fulfilled"
  }

  assert {
    condition     = length(output.user_ids) == 2 && alltrue([for id in values(output.user_ids) : startswith(id, "usr_")])
    error_message = "the members are not platform users: ${jsonencode(output.user_ids)}"
  }

  assert {
    condition     = toset(keys(output.role_assignment_ids)) == toset(["alice/application", "bob/application", "bob/data/restricted"])
    error_message = "the role assignments are ${jsonencode(keys(output.role_assignment_ids))}"
  }

  assert {
    condition     = lowcode_role_assignment.data["bob/data/restricted"].scope_id == output.classification_policy_ids["restricted"]
    error_message = "bob's data role is not on the restricted policy"
  }

  assert {
    condition     = lowcode_classification_policy.this["restricted"].encryption == "at-rest+transit+field-level" && lowcode_classification_policy.this["restricted"].access == "need-to-know"
    error_message = "restricted data is not protected at the level's minimum"
  }

  # The platform generated the dashboard's secret and shows it once; the CRM's was ours, sent
  # write-only, so neither the state nor the output holds it.
  assert {
    condition     = startswith(nonsensitive(output.webhook_secrets["dashboard"]), "whsec_") && output.webhook_secrets["crm"] == null
    error_message = "the webhook secrets are not as expected (generated for dashboard, write-only for crm)"
  }

  assert {
    condition     = lowcode_webhook.this["crm"].secret_updated_at != null && lowcode_webhook.this["crm"].secret_wo == null
    error_message = "the CRM webhook's own secret was not set, or it was stored in state"
  }

  assert {
    condition     = toset(lowcode_webhook.this["dashboard"].event_types) == toset(["order.created", "order.fulfilled"]) && lowcode_webhook.this["dashboard"].active
    error_message = "the dashboard webhook does not receive the workflow's events"
  }
}

# The platform's own view of what was made: roles as the access API reports them, and the
# module's policies classifying an order. (OpenTofu lets a run's variables, not its assertions,
# refer to an earlier run, so the ids to compare with come in as variables.)
run "read_back" {
  command = apply

  module {
    source = "./tests/verify"
  }

  variables {
    user_id              = run.onboard.user_ids["bob"]
    application_id       = run.onboard.application_id
    restricted_policy_id = run.onboard.classification_policy_ids["restricted"]
  }

  assert {
    condition = output.grants == sort([
      "viewer application ${var.application_id}",
      "viewer data ${var.restricted_policy_id}",
    ])
    error_message = "bob's roles on the platform are ${jsonencode(output.grants)}"
  }

  assert {
    condition     = output.order_level == "restricted"
    error_message = "an order with a card number is classified ${output.order_level}, not restricted"
  }

  assert {
    condition = output.classified_fields == {
      "customer.email"      = "confidential"
      "payment.card_number" = "restricted"
    }
    error_message = "the order's classified fields are ${jsonencode(output.classified_fields)}"
  }
}

# A change a team makes later: a new workflow version and a lower limit, carol joins, bob
# leaves. Updated in place: the application and workflow keep their ids.
run "change_team" {
  command = apply

  variables {
    onboarded = {
      application_id = run.onboard.application_id
      workflow_id    = run.onboard.workflow.id
      alice_id       = run.onboard.user_ids["alice"]
    }
    workflow_version = "1.6.0"
    order_limit      = 5000
    members = {
      alice = { email = "alice@example.com", display_name = "Alice (order operations)", role = "admin" }
      carol = { email = "carol@example.com", role = "viewer" }
    }
  }

  assert {
    condition     = output.application_id == var.onboarded.application_id && output.workflow.id == var.onboarded.workflow_id
    error_message = "the application or the workflow was replaced instead of updated in place"
  }

  assert {
    condition     = output.workflow.version == "1.6.0" && lowcode_workflow.order_fulfillment.steps[0].validate.expression == "amount <= 5000"
    error_message = "the workflow was not updated to 1.6.0 with the lower limit"
  }

  assert {
    condition     = output.user_ids["alice"] == var.onboarded.alice_id && !contains(keys(output.user_ids), "bob")
    error_message = "alice was replaced, or bob is still a member: ${jsonencode(output.user_ids)}"
  }

  assert {
    condition     = toset(keys(output.role_assignment_ids)) == toset(["alice/application", "carol/application"]) && lowcode_role_assignment.application["alice/application"].role == "admin"
    error_message = "the role assignments are ${jsonencode(keys(output.role_assignment_ids))}"
  }
}
