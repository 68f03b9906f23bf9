terraform {
  # 1.11 is the first Terraform with write-only arguments (the webhooks' secret_wo); OpenTofu
  # has them from 1.11 on as well.
  required_version = ">= 1.11.0"

  required_providers {
    lowcode = {
      source = "lowcode-platform/lowcode"
    }
  }
}
