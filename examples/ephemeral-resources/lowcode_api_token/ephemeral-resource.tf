terraform {
  required_providers {
    lowcode = {
      source = "lowcode-platform/lowcode"
    }
  }
}

variable "lowcode_api_key" {
  description = "An API key of a platform user."
  type        = string
  sensitive   = true
}

provider "lowcode" {
  endpoint = "http://127.0.0.1:8080"
  api_key  = var.lowcode_api_key
}

# A read-only token for this run only: issued when Terraform needs it, revoked when the
# run ends, never written to the plan or the state.
ephemeral "lowcode_api_token" "read_only" {
  description = "terraform: read-only reporting"
  max_role    = "viewer"
  ttl_seconds = 900
}

# A second configuration of the provider that can only read.
provider "lowcode" {
  alias    = "read_only"
  endpoint = "http://127.0.0.1:8080"
  api_key  = ephemeral.lowcode_api_token.read_only.token
}

data "lowcode_applications" "production" {
  provider    = lowcode.read_only
  environment = "production"
}
