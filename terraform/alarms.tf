resource "aws_sns_topic" "Operations" {
  count = var.enable_cloudwatch_alarms ? 1 : 0

  name              = "${local.name_prefix}-Operations"
  kms_master_key_id = "alias/aws/sns"

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-Operations" })
}

resource "aws_cloudwatch_metric_alarm" "DownloadQueueDLQ" {
  count = var.enable_cloudwatch_alarms ? 1 : 0

  alarm_name          = "${local.name_prefix}-DownloadQueue-DLQ-NotEmpty"
  alarm_description   = "Messages landed in ${local.name_prefix}-DownloadQueue-DLQ."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.Operations[0].arn]
  ok_actions          = [aws_sns_topic.Operations[0].arn]

  dimensions = {
    QueueName = aws_sqs_queue.DownloadQueueDLQ.name
  }

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-DownloadQueue-DLQ-NotEmpty" })
}

resource "aws_cloudwatch_metric_alarm" "SendPushNotificationDLQ" {
  count = var.enable_cloudwatch_alarms ? 1 : 0

  alarm_name          = "${local.name_prefix}-SendPushNotification-DLQ-NotEmpty"
  alarm_description   = "Messages landed in ${local.name_prefix}-SendPushNotification-DLQ."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.Operations[0].arn]
  ok_actions          = [aws_sns_topic.Operations[0].arn]

  dimensions = {
    QueueName = aws_sqs_queue.SendPushNotificationDLQ.name
  }

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-SendPushNotification-DLQ-NotEmpty" })
}

resource "aws_cloudwatch_metric_alarm" "LambdaErrors" {
  count = var.enable_cloudwatch_alarms ? 1 : 0

  alarm_name          = "${local.name_prefix}-Lambda-Errors"
  alarm_description   = "Errors across the ${local.name_prefix} Lambda functions."
  evaluation_periods  = 1
  threshold           = 5
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.Operations[0].arn]
  ok_actions          = [aws_sns_topic.Operations[0].arn]

  metric_query {
    id          = "errors"
    expression  = "registeruser + listfiles + startfileupload + sendpushnotification"
    label       = "${local.name_prefix} Lambda errors"
    return_data = true
  }

  metric_query {
    id = "registeruser"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      period      = 300
      stat        = "Sum"
      dimensions = {
        FunctionName = aws_lambda_function.RegisterUser.function_name
      }
    }
  }

  metric_query {
    id = "listfiles"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      period      = 300
      stat        = "Sum"
      dimensions = {
        FunctionName = aws_lambda_function.ListFiles.function_name
      }
    }
  }

  metric_query {
    id = "startfileupload"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      period      = 300
      stat        = "Sum"
      dimensions = {
        FunctionName = aws_lambda_function.StartFileUpload.function_name
      }
    }
  }

  metric_query {
    id = "sendpushnotification"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      period      = 300
      stat        = "Sum"
      dimensions = {
        FunctionName = aws_lambda_function.SendPushNotification.function_name
      }
    }
  }

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-Lambda-Errors" })
}

resource "aws_cloudwatch_metric_alarm" "Api5XXErrors" {
  count = var.enable_cloudwatch_alarms ? 1 : 0

  alarm_name          = "${local.name_prefix}-OfflineMediaDownloader-5XXError"
  alarm_description   = "Server errors returned by ${local.name_prefix}-OfflineMediaDownloader."
  namespace           = "AWS/ApiGateway"
  metric_name         = "5XXError"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 5
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.Operations[0].arn]
  ok_actions          = [aws_sns_topic.Operations[0].arn]

  dimensions = {
    ApiName = aws_api_gateway_rest_api.OfflineMediaDownloader.name
    Stage   = aws_api_gateway_stage.OfflineMediaDownloader.stage_name
  }

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-OfflineMediaDownloader-5XXError" })
}
