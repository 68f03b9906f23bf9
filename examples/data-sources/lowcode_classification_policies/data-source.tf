# Every restricted policy on the platform.
data "lowcode_classification_policies" "restricted" {
  level = "restricted"
}

output "restricted_field_patterns" {
  value = flatten(data.lowcode_classification_policies.restricted.policies[*].field_patterns)
}
