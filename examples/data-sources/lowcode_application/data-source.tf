# An application that another configuration manages, by name and environment.
data "lowcode_application" "order_management" {
  name        = "order-management"
  environment = "production"
}

output "order_management_version" {
  value = data.lowcode_application.order_management.version
}
