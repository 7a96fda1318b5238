locals {
  name_prefix = var.resource_prefix

  common_tags = {
    Project     = "media-downloader"
    Environment = var.environment
    ManagedBy   = "opentofu"
    Workspace   = terraform.workspace
  }

  # Lambda deployment package: a committed, deterministic zip of lambda/handler.py
  # unless the caller supplies a build artifact.
  lambda_zip = coalesce(var.lambda_zip_path, "${path.module}/lambda/handler.zip")

  # Protected environments keep deleted secrets recoverable; others free the
  # name immediately so they can be torn down and recreated.
  secret_recovery_window_in_days = var.dsql_deletion_protection ? 30 : 0

}
