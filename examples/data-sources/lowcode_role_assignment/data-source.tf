data "lowcode_user" "ada" {
  email = "ada@example.com"
}

data "lowcode_application" "order_management" {
  name        = "order-management"
  environment = "production"
}

# Fails the plan unless Ada may change the order-management application.
data "lowcode_role_assignment" "ada_orders_editor" {
  user_id    = data.lowcode_user.ada.id
  role       = "editor"
  scope_type = "application"
  scope_id   = data.lowcode_application.order_management.id
}

output "ada_editor_since" {
  value = data.lowcode_role_assignment.ada_orders_editor.created_at
}
