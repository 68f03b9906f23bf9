import {
  to = lowcode_webhook.order_events
  id = "whk_0193c1f2a4b87c3d9e0f112233445566"
}
