# Who holds platform-wide roles.
list "lowcode_role_assignment" "platform" {
  provider = lowcode

  config {
    scope_type = "platform"
  }
}
