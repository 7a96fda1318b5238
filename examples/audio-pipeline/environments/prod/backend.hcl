bucket  = "audio-pipeline-tfstate"
key     = "audio-pipeline/prod/terraform.tfstate"
region  = "us-east-1"
encrypt = true
