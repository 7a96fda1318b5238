output "environment" {
  description = "Environment this state belongs to."
  value       = var.environment
}

output "name_prefix" {
  description = "Prefix of every resource name."
  value       = local.name_prefix
}

output "workspace" {
  description = "OpenTofu workspace the state lives in."
  value       = terraform.workspace
}

output "aws_region" {
  description = "Region of the environment."
  value       = var.aws_region
}

output "api_id" {
  description = "ID of the REST API."
  value       = aws_api_gateway_rest_api.OfflineMediaDownloader.id
}

output "api_name" {
  description = "Name of the REST API."
  value       = aws_api_gateway_rest_api.OfflineMediaDownloader.name
}

output "api_stage_name" {
  description = "Name of the REST API stage."
  value       = aws_api_gateway_stage.OfflineMediaDownloader.stage_name
}

output "api_invoke_url" {
  description = "Invoke URL of the REST API stage."
  value       = aws_api_gateway_stage.OfflineMediaDownloader.invoke_url
}

output "api_usage_plan_id" {
  description = "ID of the API usage plan."
  value       = aws_api_gateway_usage_plan.OfflineMediaDownloader.id
}

output "api_usage_plan_name" {
  description = "Name of the API usage plan."
  value       = aws_api_gateway_usage_plan.OfflineMediaDownloader.name
}

output "api_key_id" {
  description = "ID of the API key (the key value is not exported)."
  value       = aws_api_gateway_api_key.OfflineMediaDownloader.id
}

output "files_bucket_name" {
  description = "Name of the media files bucket."
  value       = aws_s3_bucket.Files.bucket
}

output "files_bucket_arn" {
  description = "ARN of the media files bucket."
  value       = aws_s3_bucket.Files.arn
}

output "download_queue_url" {
  description = "URL of the download queue."
  value       = aws_sqs_queue.DownloadQueue.url
}

output "download_dlq_url" {
  description = "URL of the download dead-letter queue."
  value       = aws_sqs_queue.DownloadQueueDLQ.url
}

output "send_push_notification_queue_url" {
  description = "URL of the push notification queue."
  value       = aws_sqs_queue.SendPushNotification.url
}

output "send_push_notification_dlq_url" {
  description = "URL of the push notification dead-letter queue."
  value       = aws_sqs_queue.SendPushNotificationDLQ.url
}

output "idempotency_table_name" {
  description = "Name of the DynamoDB idempotency table."
  value       = aws_dynamodb_table.Idempotency.name
}

output "dsql_cluster_identifier" {
  description = "Identifier of the Aurora DSQL cluster."
  value       = aws_dsql_cluster.MediaDownloader.identifier
}

output "dsql_cluster_arn" {
  description = "ARN of the Aurora DSQL cluster."
  value       = aws_dsql_cluster.MediaDownloader.arn
}

output "event_bus_name" {
  description = "Name of the EventBridge bus."
  value       = aws_cloudwatch_event_bus.MediaDownloader.name
}

output "event_rule_name" {
  description = "Name of the EventBridge rule routing to the download queue."
  value       = aws_cloudwatch_event_rule.DownloadRequested.name
}

output "push_topic_arn" {
  description = "ARN of the push notifications SNS topic."
  value       = aws_sns_topic.PushNotifications.arn
}

output "operations_topic_arn" {
  description = "ARN of the operations SNS topic (null when alarms are disabled)."
  value       = one(aws_sns_topic.Operations[*].arn)
}

output "lambda_function_names" {
  description = "Lambda function names by logical name."
  value = {
    RegisterUser         = aws_lambda_function.RegisterUser.function_name
    ListFiles            = aws_lambda_function.ListFiles.function_name
    StartFileUpload      = aws_lambda_function.StartFileUpload.function_name
    SendPushNotification = aws_lambda_function.SendPushNotification.function_name
  }
}

output "lambda_role_names" {
  description = "Lambda IAM role names by logical name."
  value = {
    RegisterUser         = aws_iam_role.RegisterUser.name
    ListFiles            = aws_iam_role.ListFiles.name
    StartFileUpload      = aws_iam_role.StartFileUpload.name
    SendPushNotification = aws_iam_role.SendPushNotification.name
  }
}

output "log_group_names" {
  description = "Lambda log group names by logical name."
  value = {
    RegisterUser         = aws_cloudwatch_log_group.RegisterUser.name
    ListFiles            = aws_cloudwatch_log_group.ListFiles.name
    StartFileUpload      = aws_cloudwatch_log_group.StartFileUpload.name
    SendPushNotification = aws_cloudwatch_log_group.SendPushNotification.name
  }
}

output "secret_names" {
  description = "Secrets Manager secret names."
  value = [
    aws_secretsmanager_secret.ApnsSigningKey.name,
    aws_secretsmanager_secret.SignInWithApple.name,
  ]
}

output "alarm_names" {
  description = "CloudWatch alarm names (empty when alarms are disabled)."
  value = concat(
    aws_cloudwatch_metric_alarm.DownloadQueueDLQ[*].alarm_name,
    aws_cloudwatch_metric_alarm.SendPushNotificationDLQ[*].alarm_name,
    aws_cloudwatch_metric_alarm.LambdaErrors[*].alarm_name,
    aws_cloudwatch_metric_alarm.Api5XXErrors[*].alarm_name,
  )
}

output "resource_names" {
  description = "Every named resource of the environment, keyed by logical name (alarm entries only when alarms are enabled)."
  value = merge(
    {
      RestApi                      = aws_api_gateway_rest_api.OfflineMediaDownloader.name
      ApiStage                     = aws_api_gateway_stage.OfflineMediaDownloader.stage_name
      UsagePlan                    = aws_api_gateway_usage_plan.OfflineMediaDownloader.name
      ApiKey                       = aws_api_gateway_api_key.OfflineMediaDownloader.name
      FilesBucket                  = aws_s3_bucket.Files.bucket
      DownloadQueue                = aws_sqs_queue.DownloadQueue.name
      DownloadQueueDLQ             = aws_sqs_queue.DownloadQueueDLQ.name
      SendPushNotificationQueue    = aws_sqs_queue.SendPushNotification.name
      SendPushNotificationDLQ      = aws_sqs_queue.SendPushNotificationDLQ.name
      EventBus                     = aws_cloudwatch_event_bus.MediaDownloader.name
      EventRule                    = aws_cloudwatch_event_rule.DownloadRequested.name
      EventTarget                  = aws_cloudwatch_event_target.DownloadQueue.target_id
      PushTopic                    = aws_sns_topic.PushNotifications.name
      IdempotencyTable             = aws_dynamodb_table.Idempotency.name
      DsqlCluster                  = aws_dsql_cluster.MediaDownloader.tags["Name"]
      RegisterUserFunction         = aws_lambda_function.RegisterUser.function_name
      ListFilesFunction            = aws_lambda_function.ListFiles.function_name
      StartFileUploadFunction      = aws_lambda_function.StartFileUpload.function_name
      SendPushNotificationFunction = aws_lambda_function.SendPushNotification.function_name
      RegisterUserRole             = aws_iam_role.RegisterUser.name
      ListFilesRole                = aws_iam_role.ListFiles.name
      StartFileUploadRole          = aws_iam_role.StartFileUpload.name
      SendPushNotificationRole     = aws_iam_role.SendPushNotification.name
      RegisterUserLogGroup         = aws_cloudwatch_log_group.RegisterUser.name
      ListFilesLogGroup            = aws_cloudwatch_log_group.ListFiles.name
      StartFileUploadLogGroup      = aws_cloudwatch_log_group.StartFileUpload.name
      SendPushNotificationLogGroup = aws_cloudwatch_log_group.SendPushNotification.name
      ApnsSigningKeySecret         = aws_secretsmanager_secret.ApnsSigningKey.name
      SignInWithAppleSecret        = aws_secretsmanager_secret.SignInWithApple.name
    },
    var.enable_cloudwatch_alarms ? {
      OperationsTopic              = aws_sns_topic.Operations[0].name
      DownloadQueueDLQAlarm        = aws_cloudwatch_metric_alarm.DownloadQueueDLQ[0].alarm_name
      SendPushNotificationDLQAlarm = aws_cloudwatch_metric_alarm.SendPushNotificationDLQ[0].alarm_name
      LambdaErrorsAlarm            = aws_cloudwatch_metric_alarm.LambdaErrors[0].alarm_name
      Api5XXErrorsAlarm            = aws_cloudwatch_metric_alarm.Api5XXErrors[0].alarm_name
    } : {},
  )
}
