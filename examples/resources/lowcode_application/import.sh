# Import an application by its id.
terraform import lowcode_application.order_management app_0193c1f2a4b87c3d9e0f112233445566
