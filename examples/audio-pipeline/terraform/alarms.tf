# The topic exists in every environment so subscriptions can be managed the
# same way everywhere; only the alarms are environment-dependent.
resource "aws_sns_topic" "alerts" {
  name              = "${local.name_prefix}-alerts"
  kms_master_key_id = "alias/aws/sns"

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-alerts" })
}

resource "aws_cloudwatch_metric_alarm" "jobs_dlq" {
  count = var.enable_alarms ? 1 : 0

  alarm_name          = "${local.name_prefix}-jobs-dlq-not-empty"
  alarm_description   = "Jobs landed in ${aws_sqs_queue.jobs_dlq.name}."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]

  dimensions = {
    QueueName = aws_sqs_queue.jobs_dlq.name
  }

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-jobs-dlq-not-empty" })
}

resource "aws_cloudwatch_metric_alarm" "function_errors" {
  for_each = var.enable_alarms ? local.services : {}

  alarm_name          = "${local.name_prefix}-${each.key}-errors"
  alarm_description   = "Errors of ${module.service[each.key].function_name}."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.lambda_error_alarm_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]

  dimensions = {
    FunctionName = module.service[each.key].function_name
  }

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-${each.key}-errors", Service = each.key })
}
