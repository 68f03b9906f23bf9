resource "lowcode_application" "order_management" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
}

resource "lowcode_user" "ada" {
  email        = "ada@example.com"
  display_name = "Ada Lovelace"
}

# Ada changes the order-management application and its workflows.
resource "lowcode_role_assignment" "ada_orders_editor" {
  user_id    = lowcode_user.ada.id
  role       = "editor"
  scope_type = "application"
  scope_id   = lowcode_application.order_management.id
}

# Ada reads everything on the platform. The platform scope takes no scope_id.
resource "lowcode_role_assignment" "ada_platform_viewer" {
  user_id    = lowcode_user.ada.id
  role       = "viewer"
  scope_type = "platform"
}
