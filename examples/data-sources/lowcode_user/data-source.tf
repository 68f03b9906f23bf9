# Find an existing person by email, for example to grant them a role.
data "lowcode_user" "ada" {
  email = "ada@example.com"
}

output "ada_is_active" {
  value = data.lowcode_user.ada.active
}
