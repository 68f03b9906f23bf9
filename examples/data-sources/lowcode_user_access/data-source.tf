data "lowcode_user" "ada" {
  email = "ada@example.com"
}

# An access review: what Ada holds now, and every grant and revocation so far.
data "lowcode_user_access" "ada" {
  user_id = data.lowcode_user.ada.id
}

output "ada_roles" {
  value = [for g in data.lowcode_user_access.ada.grants : "${g.role} on ${g.scope_type} ${coalesce(g.scope_id, "-")}"]
}

output "ada_revocations" {
  value = [for h in data.lowcode_user_access.ada.history : h.at if h.action == "revoked"]
}
