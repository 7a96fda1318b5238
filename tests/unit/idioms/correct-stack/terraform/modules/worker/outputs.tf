output "function_name" {
  value       = aws_lambda_function.this.function_name
  description = "The function's name."
}
