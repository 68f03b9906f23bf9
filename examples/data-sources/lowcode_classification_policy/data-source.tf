data "lowcode_classification_policy" "payment_data" {
  name = "payment-data"
}

output "payment_data_protection" {
  value = "${data.lowcode_classification_policy.payment_data.level}: ${data.lowcode_classification_policy.payment_data.encryption}, ${data.lowcode_classification_policy.payment_data.access}"
}
