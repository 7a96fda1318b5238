# Destroy guard. Deletion protection on the DSQL cluster and the DynamoDB
# table only stops those two deletions: everything that depends on them (the
# Lambda functions, API, queues, bucket, ...) would already be gone by then.
# This resource depends on every other resource, so a destroy removes it
# FIRST; while var.dsql_deletion_protection is true its destroy-time
# provisioner fails and nothing else is touched. To decommission a protected
# environment, apply with dsql_deletion_protection = false first.
resource "terraform_data" "DestroyGuard" {
  input = {
    protected   = var.dsql_deletion_protection
    name_prefix = local.name_prefix
  }

  provisioner "local-exec" {
    when    = destroy
    command = self.input.protected ? "echo 'Refusing to destroy ${self.input.name_prefix}-*: deletion protection is enabled (dsql_deletion_protection = true). Apply with dsql_deletion_protection = false first.' >&2; exit 1" : "true"
  }

  depends_on = [
    aws_api_gateway_usage_plan_key.OfflineMediaDownloader,
    aws_api_gateway_stage.OfflineMediaDownloader,
    aws_cloudwatch_event_target.DownloadQueue,
    aws_cloudwatch_metric_alarm.Api5XXErrors,
    aws_cloudwatch_metric_alarm.DownloadQueueDLQ,
    aws_cloudwatch_metric_alarm.LambdaErrors,
    aws_cloudwatch_metric_alarm.SendPushNotificationDLQ,
    aws_dsql_cluster.MediaDownloader,
    aws_dynamodb_table.Idempotency,
    aws_lambda_event_source_mapping.DownloadQueue,
    aws_lambda_event_source_mapping.SendPushNotification,
    aws_lambda_function.ListFiles,
    aws_lambda_function.RegisterUser,
    aws_lambda_function.SendPushNotification,
    aws_lambda_function.StartFileUpload,
    aws_s3_bucket_lifecycle_configuration.Files,
    aws_s3_bucket_policy.Files,
    aws_s3_bucket_server_side_encryption_configuration.Files,
    aws_s3_bucket_versioning.Files,
    aws_secretsmanager_secret.ApnsSigningKey,
    aws_secretsmanager_secret.SignInWithApple,
    aws_sns_topic.Operations,
    aws_sns_topic.PushNotifications,
    aws_sqs_queue.DownloadQueue,
  ]
}
