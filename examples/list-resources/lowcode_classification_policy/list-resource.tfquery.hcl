# The policies that protect restricted data, such as card numbers.
list "lowcode_classification_policy" "restricted" {
  provider         = lowcode
  include_resource = true

  config {
    level = "restricted"
  }
}
