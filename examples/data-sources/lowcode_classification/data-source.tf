# How would the platform classify an order record? Checks that the policies
# cover what they should before such data flows through a workflow.
data "lowcode_classification" "order" {
  data = jsonencode({
    order_id = "ord-1001"
    amount   = 12500
    customer = {
      email       = "ada@example.com"
      card_number = "4111111111111111"
    }
  })
}

output "order_level" {
  value = data.lowcode_classification.order.level
}

output "restricted_fields" {
  value = [for f in data.lowcode_classification.order.fields : f.path if f.level == "restricted"]
}
