data "lowcode_custom_integration" "crm_sync" {
  name = "crm-sync"
}

output "crm_sync_repository" {
  value = "${data.lowcode_custom_integration.crm_sync.code_repo} (API ${data.lowcode_custom_integration.crm_sync.api_version})"
}
