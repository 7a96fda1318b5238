resource "aws_dynamodb_table" "Idempotency" {
  name                        = "${local.name_prefix}-Idempotency"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "id"
  deletion_protection_enabled = var.dsql_deletion_protection

  attribute {
    name = "id"
    type = "S"
  }

  ttl {
    attribute_name = "expiration"
    enabled        = true
  }

  server_side_encryption {
    enabled = true
  }

  point_in_time_recovery {
    enabled = var.dsql_deletion_protection
  }

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-Idempotency" })

  lifecycle {
    prevent_destroy = var.dsql_deletion_protection
  }
}
