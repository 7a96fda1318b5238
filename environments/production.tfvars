environment        = "production"
resource_prefix    = "prod"
log_level          = "INFO"
log_retention_days = 7

api_throttle_burst_limit = 100
api_throttle_rate_limit  = 50
api_quota_limit          = 10000

dsql_deletion_protection = true
enable_cloudwatch_alarms = true
