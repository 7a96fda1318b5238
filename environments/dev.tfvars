environment        = "dev"
resource_prefix    = "dev"
log_level          = "DEBUG"
log_retention_days = 1

api_throttle_burst_limit = 5
api_throttle_rate_limit  = 2
api_quota_limit          = 100

dsql_deletion_protection = false
enable_cloudwatch_alarms = false
