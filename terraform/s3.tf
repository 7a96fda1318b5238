resource "aws_s3_bucket" "Files" {
  bucket = "${local.name_prefix}-lifegames-media-files"

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-lifegames-media-files" })
}

resource "aws_s3_bucket_versioning" "Files" {
  bucket = aws_s3_bucket.Files.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "Files" {
  bucket = aws_s3_bucket.Files.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "Files" {
  bucket = aws_s3_bucket.Files.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "Files" {
  bucket = aws_s3_bucket.Files.id

  rule {
    id     = "${local.name_prefix}-expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = 30
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.Files]
}

data "aws_iam_policy_document" "FilesBucket" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.Files.arn,
      "${aws_s3_bucket.Files.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "Files" {
  bucket = aws_s3_bucket.Files.id
  policy = data.aws_iam_policy_document.FilesBucket.json

  depends_on = [aws_s3_bucket_public_access_block.Files]
}
