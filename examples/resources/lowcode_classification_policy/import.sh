# Import a classification policy by its id.
terraform import lowcode_classification_policy.restricted cls_0193c1f2a4b87c3d9e0f112233445566
