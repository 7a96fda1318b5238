variable "name_prefix" {
  description = "Prefix of every resource name, \"<project>-<environment>\"."
  type        = string
}

variable "service" {
  description = "Service name; the function is named \"<name_prefix>-<service>\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*$", var.service))
    error_message = "The service must be lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "description" {
  description = "Description of the Lambda function."
  type        = string
  default     = ""
}

variable "environment" {
  description = "Environment name, exposed to the function as ENVIRONMENT."
  type        = string
}

variable "package_path" {
  description = "Path of the Lambda deployment package (zip)."
  type        = string
}

variable "handler" {
  description = "Function entry point."
  type        = string
  default     = "handler.handler"
}

variable "runtime" {
  description = "Lambda runtime."
  type        = string
  default     = "python3.12"
}

variable "lambda_memory_mb" {
  description = "Memory of the function, in MB."
  type        = number
}

variable "lambda_timeout_s" {
  description = "Timeout of the function, in seconds."
  type        = number
}

variable "lambda_reserved_concurrency" {
  description = "Reserved concurrent executions of the function."
  type        = number
}

variable "log_retention_days" {
  description = "Retention of the function's log group, in days."
  type        = number
}

variable "environment_variables" {
  description = "Extra environment variables of the function (ENVIRONMENT is always set)."
  type        = map(string)
  default     = {}
}

variable "sqs_send_queue_arns" {
  description = "Queues the function may send to."
  type        = list(string)
  default     = []
}

variable "sqs_consume_queue_arns" {
  description = "Queues the function consumes (event source mapping permissions)."
  type        = list(string)
  default     = []
}

variable "dynamodb_table_arns" {
  description = "DynamoDB tables the function may read and write items of."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags of every resource of the module."
  type        = map(string)
  default     = {}
}
