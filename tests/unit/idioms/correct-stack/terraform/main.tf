locals {
  functions = {
    ingest  = { memory = 512, timeout = 120 }
    publish = { memory = 256, timeout = 60 }
  }
  lambda_env = {
    ENVIRONMENT = var.environment
    LOG_LEVEL   = var.log_level
  }
  sizing = {
    staging    = { memory = 512, timeout = 120 }
    production = { memory = 1024, timeout = 300 }
    dev        = { memory = 256, timeout = 60 }
  }
}

resource "aws_sqs_queue" "dlq" {
  for_each = local.functions
  name     = "${local.name_prefix}-${each.key}-dlq"
  tags     = merge(local.common_tags, { Role = "dlq" })
}

resource "aws_sqs_queue" "work" {
  for_each   = local.functions
  name       = format("%s-%s", local.name_prefix, each.key)
  fifo_queue = false
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq[each.key].arn
    maxReceiveCount     = 3
  })
}

resource "aws_dynamodb_table" "state" {
  name                        = "${local.name_prefix}-state"
  hash_key                    = "id"
  billing_mode                = "PAY_PER_REQUEST"
  deletion_protection_enabled = var.dsql_deletion_protection
  attribute {
    name = "id"
    type = "S"
  }
}

resource "aws_iam_role" "worker" {
  name               = "${local.name_prefix}-worker"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "worker" {
  statement {
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage"]
    resources = [for q in aws_sqs_queue.work : q.arn]
  }
  statement {
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem"]
    resources = [aws_dynamodb_table.state.arn]
  }
  statement {
    actions   = ["xray:PutTraceSegments"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "worker" {
  name   = "${local.name_prefix}-worker"
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.worker.json
}

module "worker" {
  source                = "./modules/worker"
  for_each              = local.functions
  name                  = "${local.name_prefix}-${each.key}"
  role_arn              = aws_iam_role.worker.arn
  log_retention_days    = var.log_retention_days
  environment_variables = merge(local.lambda_env, { QUEUE = "${local.name_prefix}-${each.key}" })
  tags                  = local.common_tags
  memory_size           = local.sizing[var.environment].memory
  timeout               = local.sizing[var.environment].timeout
}

resource "aws_sns_topic" "alerts" {
  count = var.enable_cloudwatch_alarms ? 1 : 0
  name  = "${local.name_prefix}-Operations"
}

resource "aws_cloudwatch_metric_alarm" "dlq" {
  for_each            = var.enable_cloudwatch_alarms ? local.functions : {}
  alarm_name          = "${local.name_prefix}-${each.key}-dlq"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 1
  metric_name         = "ApproximateNumberOfMessagesVisible"
  namespace           = "AWS/SQS"
  period              = 300
  statistic           = "Maximum"
  threshold           = 0
  dimensions = {
    QueueName = aws_sqs_queue.dlq[each.key].name
  }
  alarm_actions = [aws_sns_topic.alerts[0].arn]
}

resource "aws_api_gateway_rest_api" "api" {
  name = "${local.name_prefix}-api"
}

resource "aws_api_gateway_usage_plan" "api" {
  name = "${local.name_prefix}-api"
  throttle_settings {
    burst_limit = var.api_throttle_burst_limit
    rate_limit  = var.api_throttle_rate_limit
  }
  quota_settings {
    limit  = var.api_quota_limit
    period = "DAY"
  }
  api_stages {
    api_id = aws_api_gateway_rest_api.api.id
    stage  = "v1"
  }
}

resource "aws_secretsmanager_secret" "token" {
  name = "${var.environment}/media-downloader/token"
}
