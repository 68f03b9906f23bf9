# Import a custom integration by its id.
terraform import lowcode_custom_integration.crm_sync int_0193c1f2a4b87c3d9e0f112233445566
