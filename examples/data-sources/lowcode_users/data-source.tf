data "lowcode_users" "all" {}

output "inactive_users" {
  value = [for u in data.lowcode_users.all.users : u.email if !u.active]
}
