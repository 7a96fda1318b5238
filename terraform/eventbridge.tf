resource "aws_cloudwatch_event_bus" "MediaDownloader" {
  name = "${local.name_prefix}-MediaDownloader"

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-MediaDownloader" })
}

resource "aws_cloudwatch_event_rule" "DownloadRequested" {
  name           = "${local.name_prefix}-DownloadRequested"
  description    = "Routes DownloadRequested events of this environment to its download queue."
  event_bus_name = aws_cloudwatch_event_bus.MediaDownloader.name

  event_pattern = jsonencode({
    source        = ["media-downloader"]
    "detail-type" = ["DownloadRequested"]
  })

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-DownloadRequested" })
}

resource "aws_cloudwatch_event_target" "DownloadQueue" {
  target_id      = "${local.name_prefix}-DownloadQueue"
  rule           = aws_cloudwatch_event_rule.DownloadRequested.name
  event_bus_name = aws_cloudwatch_event_bus.MediaDownloader.name
  arn            = aws_sqs_queue.DownloadQueue.arn
}
