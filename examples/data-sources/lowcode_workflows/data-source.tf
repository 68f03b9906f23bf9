data "lowcode_application" "order_management" {
  name        = "order-management"
  environment = "production"
}

# The workflows of the order-management application that are switched off.
data "lowcode_workflows" "disabled" {
  application_id = data.lowcode_application.order_management.id
  enabled        = false
}

output "disabled_workflows" {
  value = { for w in data.lowcode_workflows.disabled.workflows : w.name => w.version }
}
