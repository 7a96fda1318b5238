resource "aws_cloudwatch_log_group" "RegisterUser" {
  name              = "/aws/lambda/${local.name_prefix}-RegisterUser"
  retention_in_days = var.log_retention_days

  tags = merge(local.common_tags, { Name = "/aws/lambda/${local.name_prefix}-RegisterUser" })
}

resource "aws_cloudwatch_log_group" "ListFiles" {
  name              = "/aws/lambda/${local.name_prefix}-ListFiles"
  retention_in_days = var.log_retention_days

  tags = merge(local.common_tags, { Name = "/aws/lambda/${local.name_prefix}-ListFiles" })
}

resource "aws_cloudwatch_log_group" "StartFileUpload" {
  name              = "/aws/lambda/${local.name_prefix}-StartFileUpload"
  retention_in_days = var.log_retention_days

  tags = merge(local.common_tags, { Name = "/aws/lambda/${local.name_prefix}-StartFileUpload" })
}

resource "aws_cloudwatch_log_group" "SendPushNotification" {
  name              = "/aws/lambda/${local.name_prefix}-SendPushNotification"
  retention_in_days = var.log_retention_days

  tags = merge(local.common_tags, { Name = "/aws/lambda/${local.name_prefix}-SendPushNotification" })
}
