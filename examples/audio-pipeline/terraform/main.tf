module "service" {
  source   = "./modules/service"
  for_each = local.services

  name_prefix  = local.name_prefix
  service      = each.key
  description  = each.value.description
  environment  = var.environment
  package_path = local.lambda_package

  lambda_memory_mb            = var.lambda_memory_mb
  lambda_timeout_s            = var.lambda_timeout_s
  lambda_reserved_concurrency = var.lambda_reserved_concurrency
  log_retention_days          = var.log_retention_days

  environment_variables = {
    QUEUE_URL  = aws_sqs_queue.jobs.url
    TABLE_NAME = aws_dynamodb_table.tracks.name
  }

  sqs_send_queue_arns    = each.value.sends_jobs ? [aws_sqs_queue.jobs.arn] : []
  sqs_consume_queue_arns = each.value.consumes_jobs ? [aws_sqs_queue.jobs.arn] : []
  dynamodb_table_arns    = [aws_dynamodb_table.tracks.arn]

  tags = local.common_tags
}
