output "api_invoke_url" {
  description = "Invoke URL of the API stage."
  value       = aws_api_gateway_stage.this.invoke_url
}

output "api_key_id" {
  description = "ID of the API key (the value stays in API Gateway)."
  value       = aws_api_gateway_api_key.this.id
}

output "function_names" {
  description = "Lambda function name per service."
  value       = { for k, s in module.service : k => s.function_name }
}

output "jobs_queue_url" {
  description = "URL of the jobs queue."
  value       = aws_sqs_queue.jobs.url
}

output "jobs_dlq_url" {
  description = "URL of the jobs dead-letter queue."
  value       = aws_sqs_queue.jobs_dlq.url
}

output "tracks_table_name" {
  description = "Name of the tracks DynamoDB table."
  value       = aws_dynamodb_table.tracks.name
}

output "alerts_topic_arn" {
  description = "ARN of the alerts SNS topic."
  value       = aws_sns_topic.alerts.arn
}

output "secret_arns" {
  description = "ARN per secret container."
  value       = { for k, s in aws_secretsmanager_secret.this : k => s.arn }
}
