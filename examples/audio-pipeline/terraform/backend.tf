# Partial configuration: bucket, key, region and encrypt come from
# ../environments/<env>/backend.hcl at `tofu init -backend-config=...`,
# so every environment keeps its own state object.
terraform {
  backend "s3" {}
}
