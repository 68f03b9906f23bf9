# Every user of the platform.
list "lowcode_user" "all" {
  provider = lowcode
}
