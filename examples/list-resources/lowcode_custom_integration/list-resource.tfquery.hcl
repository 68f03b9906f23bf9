# Every custom integration registered on the platform.
list "lowcode_custom_integration" "all" {
  provider = lowcode
}
