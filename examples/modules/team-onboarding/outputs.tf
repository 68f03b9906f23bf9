output "application_id" {
  description = "The id of the team's application (`app_…`)."
  value       = lowcode_application.this.id
}

output "application" {
  description = "The team's application: its id, name, environment and version."
  value = {
    id          = lowcode_application.this.id
    name        = lowcode_application.this.name
    environment = lowcode_application.this.environment
    version     = lowcode_application.this.version
  }
}

output "workflow" {
  description = "The order-fulfillment workflow: its id, version, the event that starts it and its steps in order (`name (type)`)."
  value = {
    id      = lowcode_workflow.order_fulfillment.id
    version = lowcode_workflow.order_fulfillment.version
    trigger = lowcode_workflow.order_fulfillment.trigger.event_type
    steps   = [for s in lowcode_workflow.order_fulfillment.steps : "${s.name} (${s.type})"]
  }
}

output "webhook_ids" {
  description = "The webhooks' ids (`whk_…`), by the keys of `webhooks`."
  value       = { for k, w in lowcode_webhook.this : k => w.id }
}

output "webhook_secrets" {
  description = "The signing secrets the platform generated, by webhook key, for the receivers to verify deliveries with; null for webhooks whose secret you gave in `webhook_secrets`."
  value       = { for k, w in lowcode_webhook.this : k => w.secret }
  sensitive   = true
}

output "user_ids" {
  description = "The members' platform user ids (`usr_…`), by handle."
  value       = { for k, u in lowcode_user.member : k => u.id }
}

output "role_assignment_ids" {
  description = "The ids of the role assignments the module made (`ra_…`), keyed `<handle>/application` and `<handle>/data/<level>`."
  value = merge(
    { for k, r in lowcode_role_assignment.application : k => r.id },
    { for k, r in lowcode_role_assignment.data : k => r.id },
  )
}

output "classification_policy_ids" {
  description = "The ids of the application's classification policies (`cls_…`), by level."
  value       = { for level, p in lowcode_classification_policy.this : level => p.id }
}
