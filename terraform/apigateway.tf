resource "aws_api_gateway_rest_api" "OfflineMediaDownloader" {
  name        = "${local.name_prefix}-OfflineMediaDownloader"
  description = "Offline media downloader API."

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-OfflineMediaDownloader" })
}

resource "aws_api_gateway_resource" "Files" {
  rest_api_id = aws_api_gateway_rest_api.OfflineMediaDownloader.id
  parent_id   = aws_api_gateway_rest_api.OfflineMediaDownloader.root_resource_id
  path_part   = "files"
}

resource "aws_api_gateway_method" "FilesGet" {
  rest_api_id      = aws_api_gateway_rest_api.OfflineMediaDownloader.id
  resource_id      = aws_api_gateway_resource.Files.id
  http_method      = "GET"
  authorization    = "NONE"
  api_key_required = true
}

resource "aws_api_gateway_integration" "FilesGet" {
  rest_api_id = aws_api_gateway_rest_api.OfflineMediaDownloader.id
  resource_id = aws_api_gateway_resource.Files.id
  http_method = aws_api_gateway_method.FilesGet.http_method
  type        = "MOCK"

  request_templates = {
    "application/json" = jsonencode({ statusCode = 200 })
  }
}

resource "aws_api_gateway_method_response" "FilesGet200" {
  rest_api_id = aws_api_gateway_rest_api.OfflineMediaDownloader.id
  resource_id = aws_api_gateway_resource.Files.id
  http_method = aws_api_gateway_method.FilesGet.http_method
  status_code = "200"
}

resource "aws_api_gateway_integration_response" "FilesGet200" {
  rest_api_id = aws_api_gateway_rest_api.OfflineMediaDownloader.id
  resource_id = aws_api_gateway_resource.Files.id
  http_method = aws_api_gateway_method.FilesGet.http_method
  status_code = aws_api_gateway_method_response.FilesGet200.status_code

  response_templates = {
    "application/json" = jsonencode({ files = [] })
  }

  depends_on = [aws_api_gateway_integration.FilesGet]
}

resource "aws_api_gateway_deployment" "OfflineMediaDownloader" {
  rest_api_id = aws_api_gateway_rest_api.OfflineMediaDownloader.id
  description = "${local.name_prefix}-OfflineMediaDownloader deployment"

  triggers = {
    redeployment = sha1(jsonencode([
      aws_api_gateway_resource.Files.id,
      aws_api_gateway_method.FilesGet.id,
      aws_api_gateway_method.FilesGet.api_key_required,
      aws_api_gateway_integration.FilesGet.id,
      aws_api_gateway_integration.FilesGet.request_templates,
      aws_api_gateway_integration_response.FilesGet200.id,
      aws_api_gateway_integration_response.FilesGet200.response_templates,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [
    aws_api_gateway_integration.FilesGet,
    aws_api_gateway_integration_response.FilesGet200,
  ]
}

resource "aws_api_gateway_stage" "OfflineMediaDownloader" {
  rest_api_id   = aws_api_gateway_rest_api.OfflineMediaDownloader.id
  deployment_id = aws_api_gateway_deployment.OfflineMediaDownloader.id
  stage_name    = local.name_prefix

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-OfflineMediaDownloader-${local.name_prefix}" })
}

resource "aws_api_gateway_usage_plan" "OfflineMediaDownloader" {
  name        = "${local.name_prefix}-UsagePlan"
  description = "Usage plan of the ${local.name_prefix}-OfflineMediaDownloader API."

  api_stages {
    api_id = aws_api_gateway_rest_api.OfflineMediaDownloader.id
    stage  = aws_api_gateway_stage.OfflineMediaDownloader.stage_name
  }

  throttle_settings {
    burst_limit = var.api_throttle_burst_limit
    rate_limit  = var.api_throttle_rate_limit
  }

  quota_settings {
    limit  = var.api_quota_limit
    period = "DAY"
  }

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-UsagePlan" })
}

resource "aws_api_gateway_api_key" "OfflineMediaDownloader" {
  name        = "${local.name_prefix}-ApiKey"
  description = "API key of the ${local.name_prefix}-OfflineMediaDownloader API."
  enabled     = true

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-ApiKey" })
}

resource "aws_api_gateway_usage_plan_key" "OfflineMediaDownloader" {
  key_id        = aws_api_gateway_api_key.OfflineMediaDownloader.id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.OfflineMediaDownloader.id
}
