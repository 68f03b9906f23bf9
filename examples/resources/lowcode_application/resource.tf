resource "lowcode_application" "order_management" {
  name        = "order-management"
  environment = "production"
  version     = "2.3.0"
  description = "Takes orders from the web shop and fulfils them"

  labels = {
    team = "orders"
  }
}
