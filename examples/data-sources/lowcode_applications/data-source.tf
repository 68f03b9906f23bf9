data "lowcode_applications" "production" {
  environment = "production"
}

output "production_versions" {
  value = { for a in data.lowcode_applications.production.applications : a.name => a.version }
}
