resource "aws_sns_topic" "PushNotifications" {
  name              = "${local.name_prefix}-PushNotifications"
  kms_master_key_id = "alias/aws/sns"

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-PushNotifications" })
}
