terraform {
  required_version = ">= 1.10.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100.0"
    }
  }
  backend "s3" {}
}

variable "environment" {
  type        = string
  description = "Environment name; the queue is named after it."
}

provider "aws" {}

resource "aws_sqs_queue" "smoke" {
  name = "${var.environment}-envgate-smoke"
}

output "queue_url" {
  value = aws_sqs_queue.smoke.url
}
