terraform {
  required_providers {
    lowcode = {
      source = "lowcode-platform/lowcode"
    }
  }
}

# The endpoint and the API key can also come from LOWCODE_ENDPOINT and LOWCODE_API_KEY.
provider "lowcode" {
  endpoint = "http://127.0.0.1:8080"
  api_key  = var.lowcode_api_key
}

variable "lowcode_api_key" {
  description = "An API key of a platform user. A new platform writes its owner's key to lowcode-bootstrap-key."
  type        = string
  sensitive   = true
}
