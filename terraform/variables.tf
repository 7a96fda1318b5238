variable "aws_region" {
  description = "AWS region every resource of this environment is created in."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "The aws_region must be an AWS region code such as us-east-1."
  }
}

variable "environment" {
  description = "Environment name. Must equal the selected OpenTofu workspace, so one environment's tfvars can never be applied to another environment's state."
  type        = string

  validation {
    condition     = contains(["staging", "production", "dev"], var.environment)
    error_message = "The environment must be one of the three supported environment names listed in this validation condition."
  }

  validation {
    condition     = terraform.workspace == var.environment
    error_message = "The selected workspace does not match var.environment: run `tofu workspace select <environment>` for the tfvars file in use (workspace and environment must be equal)."
  }
}

variable "resource_prefix" {
  description = "Lowercase short prefix of every resource name; must be the prefix that corresponds to var.environment."
  type        = string

  validation {
    condition     = contains(["stag", "prod", "dev"], var.resource_prefix)
    error_message = "The resource_prefix must be one of the three supported lowercase prefixes listed in this validation condition."
  }

  validation {
    condition = lookup({
      staging    = "stag"
      production = "prod"
      dev        = "dev"
    }, var.environment, null) == var.resource_prefix
    error_message = "The resource_prefix does not correspond to var.environment (see the environment-to-prefix map in this validation condition)."
  }
}

variable "log_level" {
  description = "LOG_LEVEL passed to every Lambda function."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "The log_level must be one of: DEBUG, INFO, WARNING, ERROR."
  }
}

variable "log_retention_days" {
  description = "Retention of the Lambda CloudWatch log groups, in days (a value CloudWatch Logs accepts)."
  type        = number
  default     = 7

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "The log_retention_days must be a CloudWatch Logs retention value: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "api_throttle_burst_limit" {
  description = "API Gateway usage plan throttle burst limit (requests)."
  type        = number

  validation {
    condition     = var.api_throttle_burst_limit >= 1 && var.api_throttle_burst_limit <= 5000 && floor(var.api_throttle_burst_limit) == var.api_throttle_burst_limit
    error_message = "The api_throttle_burst_limit must be a whole number between 1 and 5000."
  }
}

variable "api_throttle_rate_limit" {
  description = "API Gateway usage plan steady-state rate limit (requests per second)."
  type        = number

  validation {
    condition     = var.api_throttle_rate_limit > 0 && var.api_throttle_rate_limit <= 10000
    error_message = "The api_throttle_rate_limit must be greater than 0 and at most 10000."
  }
}

variable "api_quota_limit" {
  description = "API Gateway usage plan quota: maximum requests per API key per day."
  type        = number

  validation {
    condition     = var.api_quota_limit >= 1 && floor(var.api_quota_limit) == var.api_quota_limit
    error_message = "The api_quota_limit must be a whole number of at least 1."
  }
}

variable "dsql_deletion_protection" {
  description = "Enable deletion protection on the data stores (Aurora DSQL cluster and DynamoDB table)."
  type        = bool
}

variable "enable_cloudwatch_alarms" {
  description = "Create the CloudWatch alarms and the operations SNS topic they notify."
  type        = bool
}

variable "lambda_zip_path" {
  description = "Optional path of a Lambda deployment package (.zip). When null, the committed lambda/handler.zip is used."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_zip_path == null || can(regex("\\.zip$", var.lambda_zip_path))
    error_message = "The lambda_zip_path must be null or the path of a .zip file."
  }
}
