# The seed document's classification table: each level at its minimum
# protection. A weaker policy (say, restricted data without field-level
# encryption) is refused at plan time.
resource "lowcode_classification_policy" "public" {
  name           = "public-catalog"
  description    = "Product data shown on the web shop"
  level          = "public"
  encryption     = "none"
  access         = "all"
  field_patterns = ["product.name", "product.price"]
}

resource "lowcode_classification_policy" "internal" {
  name           = "internal-operations"
  level          = "internal"
  encryption     = "at-rest"
  access         = "authenticated"
  field_patterns = ["order.status", "order.warehouse"]
}

resource "lowcode_classification_policy" "confidential" {
  name           = "customer-contact"
  level          = "confidential"
  encryption     = "at-rest+transit"
  access         = "role-based"
  field_patterns = ["customer.email", "customer.phone", "customer.address.*"]
}

resource "lowcode_classification_policy" "restricted" {
  name           = "payment-data"
  description    = "Card numbers and national ids, wherever they appear"
  level          = "restricted"
  encryption     = "at-rest+transit+field-level"
  access         = "need-to-know"
  field_patterns = ["**.card_number", "ssn"]
}
