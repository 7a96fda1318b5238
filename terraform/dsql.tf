resource "aws_dsql_cluster" "MediaDownloader" {
  deletion_protection_enabled = var.dsql_deletion_protection

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-MediaDownloader-DSQL" })
}
