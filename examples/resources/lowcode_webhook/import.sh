# Import a webhook by its id. A generated signing secret cannot be recovered
# (the platform shows it only once): `secret` stays empty after an import.
terraform import lowcode_webhook.order_events whk_0193c1f2a4b87c3d9e0f112233445566
