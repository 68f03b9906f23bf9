# Every webhook that is told about new orders.
list "lowcode_webhook" "order_created" {
  provider = lowcode

  config {
    event_type = "order.created"
  }
}
