project     = "audio-pipeline"
environment = "prod"
aws_region  = "us-east-1"

lambda_memory_mb            = 1024
lambda_timeout_s            = 300
lambda_reserved_concurrency = 50
log_retention_days          = 30

api_rate_limit  = 100
api_burst_limit = 200
api_quota_limit = 100000

enable_alarms       = true
deletion_protection = true
