# Import a monitoring target by the id of its workflow.
terraform import lowcode_monitoring_target.order_fulfillment wf_0193c1f2a4b87c3d9e0f112233445566
