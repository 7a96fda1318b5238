# Secret containers only: values are set out of band, never in state or VCS.
# Named "<environment>/<project>/<name>" to match the path-based IAM
# conventions of Secrets Manager rather than the resource-name prefix.
resource "aws_secretsmanager_secret" "this" {
  for_each = local.secret_names

  name        = "${var.environment}/${var.project}/${each.key}"
  description = "${each.key} secret of ${local.name_prefix}."
  # Free the name immediately so an environment can be torn down and recreated.
  recovery_window_in_days = 0

  tags = merge(local.common_tags, { Name = "${var.environment}/${var.project}/${each.key}" })
}
