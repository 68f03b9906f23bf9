# Import a workflow by its id.
terraform import lowcode_workflow.order_fulfillment wf_0193c1f2a4b87c3d9e0f112233445566
