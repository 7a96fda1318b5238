variable "name" {
  type        = string
  description = "Function name."
}

variable "role_arn" {
  type        = string
  description = "Execution role."
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the function's log group."
}

variable "environment_variables" {
  type        = map(string)
  description = "Lambda environment."
}

variable "tags" {
  type        = map(string)
  description = "Tags of every resource of the module."
}

variable "memory_size" {
  type        = number
  description = "Lambda memory (MB)."
}

variable "timeout" {
  type        = number
  description = "Lambda timeout (s)."
}
