data "aws_iam_policy_document" "LambdaAssumeRole" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

# ---------------------------------------------------------------------------
# RegisterUser
# ---------------------------------------------------------------------------
resource "aws_iam_role" "RegisterUser" {
  name               = "${local.name_prefix}-RegisterUser"
  assume_role_policy = data.aws_iam_policy_document.LambdaAssumeRole.json

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-RegisterUser" })
}

data "aws_iam_policy_document" "RegisterUser" {
  statement {
    sid       = "CreateOwnLogGroup"
    actions   = ["logs:CreateLogGroup"]
    resources = [aws_cloudwatch_log_group.RegisterUser.arn]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.RegisterUser.arn}:*"]
  }

  statement {
    sid       = "IdempotencyTable"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    resources = [aws_dynamodb_table.Idempotency.arn]
  }

  statement {
    sid       = "ConnectDsql"
    actions   = ["dsql:DbConnect"]
    resources = [aws_dsql_cluster.MediaDownloader.arn]
  }

  statement {
    sid       = "ReadSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.SignInWithApple.arn]
  }
}

resource "aws_iam_role_policy" "RegisterUser" {
  name   = "${local.name_prefix}-RegisterUser"
  role   = aws_iam_role.RegisterUser.id
  policy = data.aws_iam_policy_document.RegisterUser.json
}

# ---------------------------------------------------------------------------
# ListFiles
# ---------------------------------------------------------------------------
resource "aws_iam_role" "ListFiles" {
  name               = "${local.name_prefix}-ListFiles"
  assume_role_policy = data.aws_iam_policy_document.LambdaAssumeRole.json

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-ListFiles" })
}

data "aws_iam_policy_document" "ListFiles" {
  statement {
    sid       = "CreateOwnLogGroup"
    actions   = ["logs:CreateLogGroup"]
    resources = [aws_cloudwatch_log_group.ListFiles.arn]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.ListFiles.arn}:*"]
  }

  statement {
    sid       = "ListBucket"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.Files.arn]
  }

  statement {
    sid       = "ReadObjects"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.Files.arn}/*"]
  }

  statement {
    sid       = "ConnectDsql"
    actions   = ["dsql:DbConnect"]
    resources = [aws_dsql_cluster.MediaDownloader.arn]
  }
}

resource "aws_iam_role_policy" "ListFiles" {
  name   = "${local.name_prefix}-ListFiles"
  role   = aws_iam_role.ListFiles.id
  policy = data.aws_iam_policy_document.ListFiles.json
}

# ---------------------------------------------------------------------------
# StartFileUpload
# ---------------------------------------------------------------------------
resource "aws_iam_role" "StartFileUpload" {
  name               = "${local.name_prefix}-StartFileUpload"
  assume_role_policy = data.aws_iam_policy_document.LambdaAssumeRole.json

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-StartFileUpload" })
}

data "aws_iam_policy_document" "StartFileUpload" {
  statement {
    sid       = "CreateOwnLogGroup"
    actions   = ["logs:CreateLogGroup"]
    resources = [aws_cloudwatch_log_group.StartFileUpload.arn]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.StartFileUpload.arn}:*"]
  }

  statement {
    sid       = "ConsumeDownloadQueue"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
    resources = [aws_sqs_queue.DownloadQueue.arn]
  }

  statement {
    sid       = "QueuePushNotification"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.SendPushNotification.arn]
  }

  statement {
    sid       = "WriteObjects"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"]
    resources = ["${aws_s3_bucket.Files.arn}/*"]
  }

  statement {
    sid       = "IdempotencyTable"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    resources = [aws_dynamodb_table.Idempotency.arn]
  }

  statement {
    sid       = "PublishEvents"
    actions   = ["events:PutEvents"]
    resources = [aws_cloudwatch_event_bus.MediaDownloader.arn]
  }

  statement {
    sid       = "ConnectDsql"
    actions   = ["dsql:DbConnect"]
    resources = [aws_dsql_cluster.MediaDownloader.arn]
  }
}

resource "aws_iam_role_policy" "StartFileUpload" {
  name   = "${local.name_prefix}-StartFileUpload"
  role   = aws_iam_role.StartFileUpload.id
  policy = data.aws_iam_policy_document.StartFileUpload.json
}

# ---------------------------------------------------------------------------
# SendPushNotification
# ---------------------------------------------------------------------------
resource "aws_iam_role" "SendPushNotification" {
  name               = "${local.name_prefix}-SendPushNotification"
  assume_role_policy = data.aws_iam_policy_document.LambdaAssumeRole.json

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-SendPushNotification" })
}

data "aws_iam_policy_document" "SendPushNotification" {
  statement {
    sid       = "CreateOwnLogGroup"
    actions   = ["logs:CreateLogGroup"]
    resources = [aws_cloudwatch_log_group.SendPushNotification.arn]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.SendPushNotification.arn}:*"]
  }

  statement {
    sid       = "ConsumePushQueue"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
    resources = [aws_sqs_queue.SendPushNotification.arn]
  }

  statement {
    sid       = "PublishPush"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.PushNotifications.arn]
  }

  statement {
    sid       = "ReadSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.ApnsSigningKey.arn]
  }
}

resource "aws_iam_role_policy" "SendPushNotification" {
  name   = "${local.name_prefix}-SendPushNotification"
  role   = aws_iam_role.SendPushNotification.id
  policy = data.aws_iam_policy_document.SendPushNotification.json
}
