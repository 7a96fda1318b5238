# Log groups of the container side of each service; the Lambda log groups
# live in modules/service.
resource "aws_cloudwatch_log_group" "ecs" {
  for_each = local.services

  name              = "/ecs/${var.environment}/${each.key}"
  retention_in_days = var.log_retention_days

  tags = merge(local.common_tags, { Name = "/ecs/${var.environment}/${each.key}", Service = each.key })
}
