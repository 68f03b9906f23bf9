resource "lowcode_user" "ada" {
  email        = "ada@example.com"
  display_name = "Ada Lovelace"
}

# A user who has left: their keys and tokens stop working, their history stays.
resource "lowcode_user" "former_contractor" {
  email  = "contractor@example.com"
  active = false
}
