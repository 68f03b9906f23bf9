# The payments team onboarded onto the platform: its order-management application in
# production, the order-fulfillment workflow calling the team's CRM, a webhook for its
# dashboard, two members and the classification of its data.
#
# The provider reads LOWCODE_ENDPOINT and LOWCODE_API_KEY (an admin's or owner's key).

terraform {
  required_version = ">= 1.11.0"

  required_providers {
    lowcode = {
      source = "lowcode-platform/lowcode"
    }
  }
}

provider "lowcode" {}

variable "crm_token" {
  description = "The bearer token the workflow sends to the CRM."
  type        = string
  sensitive   = true
}

module "payments_team" {
  source = "../.."

  team                = "payments"
  environment         = "production"
  application_name    = "order-management"
  application_version = "2.3.0"
  workflow_version    = "1.5.2"
  order_limit         = 10000
  crm_url             = "https://crm.example.com/api/orders"
  crm_token           = var.crm_token

  members = {
    alice = { email = "alice@example.com", display_name = "Alice (order operations)", role = "editor" }
    bob   = { email = "bob@example.com", display_name = "Bob (payments)", role = "viewer", data_access = ["restricted"] }
  }

  webhooks = {
    dashboard = { url = "https://dashboard.example.com/hooks/lowcode" }
  }

  classification = {
    confidential = { fields = ["customer.email", "customer.phone"] }
    restricted   = { fields = ["**.card_number", "ssn"] }
  }
}

output "application_id" {
  value = module.payments_team.application_id
}

output "workflow" {
  value = module.payments_team.workflow
}

# For the dashboard's receiver, to verify the signatures of deliveries.
output "dashboard_webhook_secret" {
  value     = module.payments_team.webhook_secrets["dashboard"]
  sensitive = true
}
