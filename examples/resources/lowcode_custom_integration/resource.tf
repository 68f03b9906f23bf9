# A custom integration from the seed document: code outside the platform that
# syncs orders and customers to the CRM through the platform's API.
resource "lowcode_custom_integration" "crm_sync" {
  name        = "crm-sync"
  code_repo   = "github.com/company/crm-sync"
  api_version = "v2"
  description = "Keeps the CRM's customers in step with the order-management application"
}
