bucket  = "audio-pipeline-tfstate"
key     = "audio-pipeline/dev/terraform.tfstate"
region  = "us-east-1"
encrypt = true
