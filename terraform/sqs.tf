data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

# Inline queue policy (instead of a separate aws_sqs_queue_policy, which adds
# another attribute-propagation wait on the create path). The queue's own ARN
# is therefore built from its name.
locals {
  download_queue_arn = "arn:${data.aws_partition.current.partition}:sqs:${var.aws_region}:${data.aws_caller_identity.current.account_id}:${local.name_prefix}-DownloadQueue"
}

# Only this environment's EventBridge rule may deliver to the download queue.
data "aws_iam_policy_document" "DownloadQueue" {
  statement {
    sid       = "AllowEventBridgeRule"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [local.download_queue_arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.DownloadRequested.arn]
    }
  }
}

resource "aws_sqs_queue" "DownloadQueueDLQ" {
  name                      = "${local.name_prefix}-DownloadQueue-DLQ"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-DownloadQueue-DLQ" })
}

resource "aws_sqs_queue" "DownloadQueue" {
  name                       = "${local.name_prefix}-DownloadQueue"
  visibility_timeout_seconds = 900
  message_retention_seconds  = 345600
  sqs_managed_sse_enabled    = true
  policy                     = data.aws_iam_policy_document.DownloadQueue.json

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.DownloadQueueDLQ.arn
    maxReceiveCount     = 3
  })

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-DownloadQueue" })
}

resource "aws_sqs_queue" "SendPushNotificationDLQ" {
  name                      = "${local.name_prefix}-SendPushNotification-DLQ"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-SendPushNotification-DLQ" })
}

resource "aws_sqs_queue" "SendPushNotification" {
  name                       = "${local.name_prefix}-SendPushNotification"
  visibility_timeout_seconds = 60
  message_retention_seconds  = 345600
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.SendPushNotificationDLQ.arn
    maxReceiveCount     = 3
  })

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-SendPushNotification" })
}
