"""envgate's custom checkov checks (run with `checkov --external-checks-dir policies/checkov`)."""
