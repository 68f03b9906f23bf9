variable "order_management_id" {
  description = "The id of the order-management application."
  type        = string
}

# The workflows of the order-management application that are switched on.
list "lowcode_workflow" "order_management" {
  provider = lowcode

  config {
    application_id = var.order_management_id
    enabled        = true
  }
}
