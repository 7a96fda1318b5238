terraform {
  # OpenTofu >= 1.12: lifecycle.prevent_destroy refers to var.dsql_deletion_protection.
  required_version = ">= 1.12.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100.0"
    }
  }
}
