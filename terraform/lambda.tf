resource "aws_lambda_function" "RegisterUser" {
  function_name    = "${local.name_prefix}-RegisterUser"
  description      = "Registers a user of the media downloader."
  role             = aws_iam_role.RegisterUser.arn
  runtime          = "python3.12"
  handler          = "handler.handler"
  filename         = local.lambda_zip
  source_code_hash = filebase64sha256(local.lambda_zip)
  memory_size      = 256
  timeout          = 30

  environment {
    variables = {
      LOG_LEVEL                 = var.log_level
      ENVIRONMENT               = var.environment
      RESOURCE_PREFIX           = local.name_prefix
      IDEMPOTENCY_TABLE_NAME    = aws_dynamodb_table.Idempotency.name
      DSQL_CLUSTER_IDENTIFIER   = aws_dsql_cluster.MediaDownloader.identifier
      SIGN_IN_WITH_APPLE_SECRET = aws_secretsmanager_secret.SignInWithApple.name
    }
  }

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-RegisterUser" })

  depends_on = [
    aws_cloudwatch_log_group.RegisterUser,
    aws_iam_role_policy.RegisterUser,
  ]
}

resource "aws_lambda_function" "ListFiles" {
  function_name    = "${local.name_prefix}-ListFiles"
  description      = "Lists the media files of a user."
  role             = aws_iam_role.ListFiles.arn
  runtime          = "python3.12"
  handler          = "handler.handler"
  filename         = local.lambda_zip
  source_code_hash = filebase64sha256(local.lambda_zip)
  memory_size      = 256
  timeout          = 30

  environment {
    variables = {
      LOG_LEVEL               = var.log_level
      ENVIRONMENT             = var.environment
      RESOURCE_PREFIX         = local.name_prefix
      FILES_BUCKET_NAME       = aws_s3_bucket.Files.bucket
      DSQL_CLUSTER_IDENTIFIER = aws_dsql_cluster.MediaDownloader.identifier
    }
  }

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-ListFiles" })

  depends_on = [
    aws_cloudwatch_log_group.ListFiles,
    aws_iam_role_policy.ListFiles,
  ]
}

resource "aws_lambda_function" "StartFileUpload" {
  function_name    = "${local.name_prefix}-StartFileUpload"
  description      = "Downloads requested media into the files bucket."
  role             = aws_iam_role.StartFileUpload.arn
  runtime          = "python3.12"
  handler          = "handler.handler"
  filename         = local.lambda_zip
  source_code_hash = filebase64sha256(local.lambda_zip)
  memory_size      = 1024
  timeout          = 900

  environment {
    variables = {
      LOG_LEVEL                  = var.log_level
      ENVIRONMENT                = var.environment
      RESOURCE_PREFIX            = local.name_prefix
      FILES_BUCKET_NAME          = aws_s3_bucket.Files.bucket
      DOWNLOAD_QUEUE_URL         = aws_sqs_queue.DownloadQueue.url
      SEND_PUSH_NOTIFICATION_URL = aws_sqs_queue.SendPushNotification.url
      IDEMPOTENCY_TABLE_NAME     = aws_dynamodb_table.Idempotency.name
      EVENT_BUS_NAME             = aws_cloudwatch_event_bus.MediaDownloader.name
      DSQL_CLUSTER_IDENTIFIER    = aws_dsql_cluster.MediaDownloader.identifier
    }
  }

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-StartFileUpload" })

  depends_on = [
    aws_cloudwatch_log_group.StartFileUpload,
    aws_iam_role_policy.StartFileUpload,
  ]
}

resource "aws_lambda_function" "SendPushNotification" {
  function_name    = "${local.name_prefix}-SendPushNotification"
  description      = "Sends push notifications queued on the SendPushNotification queue."
  role             = aws_iam_role.SendPushNotification.arn
  runtime          = "python3.12"
  handler          = "handler.handler"
  filename         = local.lambda_zip
  source_code_hash = filebase64sha256(local.lambda_zip)
  memory_size      = 256
  timeout          = 30

  environment {
    variables = {
      LOG_LEVEL                  = var.log_level
      ENVIRONMENT                = var.environment
      RESOURCE_PREFIX            = local.name_prefix
      SEND_PUSH_NOTIFICATION_URL = aws_sqs_queue.SendPushNotification.url
      PUSH_TOPIC_ARN             = aws_sns_topic.PushNotifications.arn
      APNS_SIGNING_KEY_SECRET    = aws_secretsmanager_secret.ApnsSigningKey.name
    }
  }

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-SendPushNotification" })

  depends_on = [
    aws_cloudwatch_log_group.SendPushNotification,
    aws_iam_role_policy.SendPushNotification,
  ]
}

resource "aws_lambda_event_source_mapping" "DownloadQueue" {
  event_source_arn = aws_sqs_queue.DownloadQueue.arn
  function_name    = aws_lambda_function.StartFileUpload.arn
  batch_size       = 1

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-StartFileUpload-DownloadQueue" })
}

resource "aws_lambda_event_source_mapping" "SendPushNotification" {
  event_source_arn = aws_sqs_queue.SendPushNotification.arn
  function_name    = aws_lambda_function.SendPushNotification.arn
  batch_size       = 10

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-SendPushNotification-Queue" })
}
