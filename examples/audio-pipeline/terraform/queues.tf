resource "aws_sqs_queue" "jobs_dlq" {
  name                      = "${local.name_prefix}-jobs-dlq"
  message_retention_seconds = 1209600 # 14 days, the maximum: time to inspect and redrive
  sqs_managed_sse_enabled   = true

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-jobs-dlq" })
}

resource "aws_sqs_queue" "jobs" {
  name = "${local.name_prefix}-jobs"
  # AWS guidance for Lambda consumers: at least 6x the function timeout, so
  # in-flight batches are not redelivered while retries are still running.
  visibility_timeout_seconds = var.lambda_timeout_s * 6
  message_retention_seconds  = 345600
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.jobs_dlq.arn
    maxReceiveCount     = var.jobs_max_receive_count
  })

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-jobs" })
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn = aws_sqs_queue.jobs.arn
  function_name    = module.service["worker"].function_arn
  batch_size       = 1

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-worker-jobs" })
}
