# Secret containers only: values are written out of band (never in state or VCS).
# Naming exception to the prefix rule: "<environment>/media-downloader/<name>".
resource "aws_secretsmanager_secret" "ApnsSigningKey" {
  name                    = "${var.environment}/media-downloader/apns-signing-key"
  description             = "APNS signing key used by SendPushNotification."
  recovery_window_in_days = local.secret_recovery_window_in_days

  tags = merge(local.common_tags, { Name = "${var.environment}/media-downloader/apns-signing-key" })
}

resource "aws_secretsmanager_secret" "SignInWithApple" {
  name                    = "${var.environment}/media-downloader/sign-in-with-apple"
  description             = "Sign in with Apple configuration used by RegisterUser."
  recovery_window_in_days = local.secret_recovery_window_in_days

  tags = merge(local.common_tags, { Name = "${var.environment}/media-downloader/sign-in-with-apple" })
}
