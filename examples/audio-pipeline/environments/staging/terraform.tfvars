project     = "audio-pipeline"
environment = "staging"
aws_region  = "us-east-1"

lambda_memory_mb            = 1024
lambda_timeout_s            = 120
lambda_reserved_concurrency = 10
log_retention_days          = 14

api_rate_limit  = 50
api_burst_limit = 100
api_quota_limit = 10000

enable_alarms       = false
deletion_protection = true
