# Every production application, with its full configuration, ready to import.
list "lowcode_application" "production" {
  provider         = lowcode
  include_resource = true

  config {
    environment = "production"
  }
}
