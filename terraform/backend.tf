# Partial configuration: bucket, key, region, dynamodb_table (and endpoints
# when targeting an emulator) are supplied at `tofu init -backend-config=...`.
# Each workspace is stored under "<workspace_key_prefix>/<workspace>/<key>",
# i.e. env:/<workspace>/terraform.tfstate.
terraform {
  backend "s3" {}
}
