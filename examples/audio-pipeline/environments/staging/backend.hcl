bucket  = "audio-pipeline-tfstate"
key     = "audio-pipeline/staging/terraform.tfstate"
region  = "us-east-1"
encrypt = true
