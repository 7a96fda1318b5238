resource "aws_api_gateway_rest_api" "this" {
  name        = "${local.name_prefix}-api"
  description = "Public API of ${local.name_prefix}."

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-api" })
}

resource "aws_api_gateway_resource" "tracks" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = "tracks"
}

resource "aws_api_gateway_method" "tracks_post" {
  rest_api_id      = aws_api_gateway_rest_api.this.id
  resource_id      = aws_api_gateway_resource.tracks.id
  http_method      = "POST"
  authorization    = "NONE"
  api_key_required = true
}

resource "aws_api_gateway_integration" "tracks_post" {
  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_resource.tracks.id
  http_method             = aws_api_gateway_method.tracks_post.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST" # Lambda is always invoked with POST
  uri                     = module.service["api"].invoke_arn
}

# Only this API (any stage, this method) may invoke the api function.
resource "aws_lambda_permission" "api" {
  statement_id  = "AllowApiGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = module.service["api"].function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/*/${aws_api_gateway_method.tracks_post.http_method}${aws_api_gateway_resource.tracks.path}"
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  description = "${local.name_prefix}-api deployment"

  # Redeploy whenever the API definition changes; the stage follows.
  triggers = {
    redeployment = sha1(jsonencode([
      aws_api_gateway_resource.tracks.id,
      aws_api_gateway_method.tracks_post.id,
      aws_api_gateway_method.tracks_post.api_key_required,
      aws_api_gateway_integration.tracks_post.id,
      aws_api_gateway_integration.tracks_post.uri,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [aws_api_gateway_integration.tracks_post]
}

resource "aws_api_gateway_stage" "this" {
  rest_api_id   = aws_api_gateway_rest_api.this.id
  deployment_id = aws_api_gateway_deployment.this.id
  stage_name    = var.environment

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-api-${var.environment}" })
}

resource "aws_api_gateway_usage_plan" "this" {
  name        = "${local.name_prefix}-usage"
  description = "Throttle and daily quota of ${local.name_prefix}-api clients."

  api_stages {
    api_id = aws_api_gateway_rest_api.this.id
    stage  = aws_api_gateway_stage.this.stage_name
  }

  throttle_settings {
    rate_limit  = var.api_rate_limit
    burst_limit = var.api_burst_limit
  }

  quota_settings {
    limit  = var.api_quota_limit
    period = "DAY"
  }

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-usage" })
}

resource "aws_api_gateway_api_key" "this" {
  name        = "${local.name_prefix}-api-key"
  description = "Client key of ${local.name_prefix}-api."
  enabled     = true

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-api-key" })
}

resource "aws_api_gateway_usage_plan_key" "this" {
  key_id        = aws_api_gateway_api_key.this.id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.this.id
}
