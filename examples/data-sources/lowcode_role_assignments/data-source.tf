data "lowcode_application" "order_management" {
  name        = "order-management"
  environment = "production"
}

# Who may change the order-management application?
data "lowcode_role_assignments" "order_editors" {
  role       = "editor"
  scope_type = "application"
  scope_id   = data.lowcode_application.order_management.id
}

output "order_editor_user_ids" {
  value = data.lowcode_role_assignments.order_editors.role_assignments[*].user_id
}
