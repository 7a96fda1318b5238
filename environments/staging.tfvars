environment        = "staging"
resource_prefix    = "stag"
log_level          = "DEBUG"
log_retention_days = 3

api_throttle_burst_limit = 20
api_throttle_rate_limit  = 10
api_quota_limit          = 1000

dsql_deletion_protection = false
enable_cloudwatch_alarms = false
