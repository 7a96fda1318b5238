resource "aws_dsql_cluster" "MediaDownloader" {
  deletion_protection_enabled = var.dsql_deletion_protection

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-MediaDownloader-DSQL" })

  # OpenTofu >= 1.12: prevent_destroy may reference variables. A protected
  # environment's destroy (or a forced replacement) fails at plan time, before
  # anything is changed; AWS-side deletion protection alone would only stop
  # this one deletion after every dependent resource had already been deleted.
  lifecycle {
    prevent_destroy = var.dsql_deletion_protection
  }
}
