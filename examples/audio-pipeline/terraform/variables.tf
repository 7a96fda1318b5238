variable "project" {
  description = "Project name; first part of every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.project))
    error_message = "The project must be 3-32 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment this state and var file belong to."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "The environment must be one of: dev, staging, prod."
  }
}

variable "aws_region" {
  description = "AWS region every resource of this environment is created in."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "The aws_region must be an AWS region code such as us-east-1."
  }
}

variable "lambda_memory_mb" {
  description = "Memory of every Lambda function, in MB."
  type        = number

  validation {
    condition     = var.lambda_memory_mb >= 128 && var.lambda_memory_mb <= 10240
    error_message = "The lambda_memory_mb must be between 128 and 10240."
  }
}

variable "lambda_timeout_s" {
  description = "Timeout of every Lambda function, in seconds."
  type        = number

  validation {
    condition     = var.lambda_timeout_s >= 1 && var.lambda_timeout_s <= 900
    error_message = "The lambda_timeout_s must be between 1 and 900."
  }
}

variable "lambda_reserved_concurrency" {
  description = "Reserved concurrent executions of every Lambda function (caps cost and downstream load)."
  type        = number

  validation {
    condition     = var.lambda_reserved_concurrency >= 0 && floor(var.lambda_reserved_concurrency) == var.lambda_reserved_concurrency
    error_message = "The lambda_reserved_concurrency must be a whole number >= 0."
  }
}

variable "log_retention_days" {
  description = "Retention of every CloudWatch log group, in days."
  type        = number

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "The log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "api_rate_limit" {
  description = "Steady-state request rate of the API usage plan, in requests per second."
  type        = number

  validation {
    condition     = var.api_rate_limit > 0
    error_message = "The api_rate_limit must be greater than 0."
  }
}

variable "api_burst_limit" {
  description = "Burst limit of the API usage plan, in requests."
  type        = number

  validation {
    condition     = var.api_burst_limit > 0 && floor(var.api_burst_limit) == var.api_burst_limit
    error_message = "The api_burst_limit must be a whole number greater than 0."
  }
}

variable "api_quota_limit" {
  description = "Requests allowed per API key per day."
  type        = number

  validation {
    condition     = var.api_quota_limit > 0 && floor(var.api_quota_limit) == var.api_quota_limit
    error_message = "The api_quota_limit must be a whole number greater than 0."
  }
}

variable "enable_alarms" {
  description = "Create the CloudWatch alarms that notify the alerts topic."
  type        = bool
}

variable "deletion_protection" {
  description = "Protect the tracks table against deletion and keep it from being destroyed by accident."
  type        = bool
}

variable "jobs_max_receive_count" {
  description = "Receives of a job before it is moved to the dead-letter queue."
  type        = number
  default     = 5

  validation {
    condition     = var.jobs_max_receive_count >= 1 && var.jobs_max_receive_count <= 1000
    error_message = "The jobs_max_receive_count must be between 1 and 1000."
  }
}

variable "lambda_error_alarm_threshold" {
  description = "Errors of one function within 5 minutes that raise its alarm."
  type        = number
  default     = 5

  validation {
    condition     = var.lambda_error_alarm_threshold >= 1
    error_message = "The lambda_error_alarm_threshold must be at least 1."
  }
}
