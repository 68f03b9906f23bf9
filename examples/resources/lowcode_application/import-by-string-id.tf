import {
  to = lowcode_application.order_management
  id = "app_0193c1f2a4b87c3d9e0f112233445566"
}
