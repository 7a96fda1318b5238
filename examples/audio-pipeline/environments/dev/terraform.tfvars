project     = "audio-pipeline"
environment = "dev"
aws_region  = "us-east-1"

lambda_memory_mb            = 512
lambda_timeout_s            = 120
lambda_reserved_concurrency = 5
log_retention_days          = 7

api_rate_limit  = 10
api_burst_limit = 20
api_quota_limit = 1000

enable_alarms       = false
deletion_protection = false
