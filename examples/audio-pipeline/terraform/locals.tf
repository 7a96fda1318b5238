locals {
  name_prefix = "${var.project}-${var.environment}"

  common_tags = {
    Project     = var.project
    Environment = var.environment
    ManagedBy   = "opentofu"
  }

  # Lambda services of the pipeline; the queue/table wiring is in main.tf.
  services = {
    api = {
      description   = "HTTP entry point: records tracks and enqueues transcode jobs."
      sends_jobs    = true
      consumes_jobs = false
    }
    worker = {
      description   = "Consumes transcode jobs from the jobs queue."
      sends_jobs    = false
      consumes_jobs = true
    }
  }

  # Secret containers only; values are written out of band, never in state.
  secret_names = toset(["db", "api-key"])

  lambda_package = "${path.module}/lambda/handler.zip"
}
