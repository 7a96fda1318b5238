"""Regenerate the plan JSON corpus (plans/*.json): `python tests/hardening/corpus/make_plans.py`.

Every file is a `tofu show -json` document, or a broken one, for environment staging. The files are checked
in (the corpus is data); this script only documents how each was made and rebuilds them identically.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent / "plans"
TAGS = {"Project": "media-downloader", "Environment": "staging", "ManagedBy": "opentofu", "Workspace": "staging"}

# A small, compliant staging plan: one resource per kind of rule.
RESOURCES = [
    ("aws_cloudwatch_log_group", "RegisterUser",
     {"name": "/aws/lambda/stag-RegisterUser", "retention_in_days": 3, "tags": TAGS, "tags_all": TAGS}),
    ("aws_lambda_function", "RegisterUser",
     {"function_name": "stag-RegisterUser", "environment": [{"variables": {"LOG_LEVEL": "DEBUG"}}],
      "tags": TAGS, "tags_all": TAGS}),
    ("aws_sqs_queue", "DownloadQueue", {"name": "stag-DownloadQueue", "tags": TAGS, "tags_all": TAGS}),
    ("aws_dynamodb_table", "Idempotency",
     {"name": "stag-Idempotency", "deletion_protection_enabled": False, "tags": TAGS, "tags_all": TAGS}),
    ("aws_api_gateway_usage_plan", "Api",
     {"name": "stag-UsagePlan", "throttle_settings": [{"burst_limit": 20, "rate_limit": 10}],
      "quota_settings": [{"limit": 1000, "period": "DAY"}], "tags": TAGS, "tags_all": TAGS}),
    ("aws_secretsmanager_secret", "ApnsSigningKey",
     {"name": "staging/media-downloader/ApnsSigningKey", "tags": TAGS, "tags_all": TAGS}),
    ("aws_iam_role_policy", "RegisterUser",
     {"name": "stag-RegisterUser", "policy": json.dumps({"Version": "2012-10-17", "Statement": [
         {"Effect": "Allow", "Action": "sqs:SendMessage",
          "Resource": "arn:aws:sqs:us-east-1:123456789012:stag-DownloadQueue"}]})}),
]


def plan(resources=RESOURCES, env: str = "staging") -> dict:
    return {
        "format_version": "1.2",
        "terraform_version": "1.12.6",
        "variables": {"environment": {"value": env}},
        "planned_values": {"root_module": {"resources": [
            {"address": f"{t}.{n}", "mode": "managed", "type": t, "name": n, "provider_name":
             "registry.opentofu.org/hashicorp/aws", "values": v, "sensitive_values": {}} for t, n, v in resources]}},
        "resource_changes": [
            {"address": f"{t}.{n}", "mode": "managed", "type": t, "name": n,
             "change": {"actions": ["create"], "before": None, "after": v, "after_unknown": {"arn": True, "id": True},
                        "before_sensitive": False, "after_sensitive": {}}} for t, n, v in resources],
        "errored": False,
    }


def all_unknown() -> dict:
    """Every attribute of every resource known only after apply: planned values are empty."""
    doc = plan()
    for res, change in zip(doc["planned_values"]["root_module"]["resources"], doc["resource_changes"]):
        keys = list(res["values"]) + ["arn", "id"]
        res["values"] = {}
        change["change"]["after"] = {}
        change["change"]["after_unknown"] = {k: True for k in keys}
    return doc


def write(name: str, content: str | bytes) -> None:
    path = HERE / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)


def main() -> None:
    HERE.mkdir(exist_ok=True)
    good = json.dumps(plan(), indent=1)
    write("valid.json", good + "\n")
    write("malformed.json", '{"format_version": "1.2", "planned_values": {"root_module": {"resources": [}}}\n')
    write("truncated.json", good[: int(len(good) * 0.6)])  # cut mid-document, as by a full disk or a killed pipe
    write("format-0.1.json", json.dumps({**plan(), "format_version": "0.1"}, indent=1) + "\n")
    write("format-2.0.json", json.dumps({**plan(), "format_version": "2.0"}, indent=1) + "\n")
    write("format-number.json", json.dumps({**plan(), "format_version": 1.2}, indent=1) + "\n")
    write("empty.json", "")
    write("binary.tfplan", b"PK\x03\x04\x14\x00\x08\x00\x08\x00" + bytes(range(256)))
    write("state.json", json.dumps({"version": 4, "terraform_version": "1.12.6", "serial": 3,
                                    "lineage": "0b6c1e9e-1111-2222-3333-444455556666", "outputs": {},
                                    "resources": []}, indent=1) + "\n")
    write("errored.json", json.dumps({**plan(), "errored": True}, indent=1) + "\n")
    write("other-env.json", json.dumps(plan(env="production"), indent=1) + "\n")
    write("no-resources.json", json.dumps({**plan(), "planned_values": {"root_module": {}},
                                           "resource_changes": []}, indent=1) + "\n")
    write("all-unknown.json", json.dumps(all_unknown(), indent=1) + "\n")
    write("log-stream.json", "\n".join(json.dumps(line) for line in [
        {"@level": "info", "@message": "OpenTofu 1.12.6", "type": "version", "tofu": "1.12.6"},
        {"@level": "info", "@message": "aws_sqs_queue.DownloadQueue: Plan to create", "type": "planned_change"},
        {"@level": "info", "@message": "Plan: 1 to add, 0 to change, 0 to destroy.", "type": "change_summary"},
    ]) + "\n")
    broken = plan()
    del broken["planned_values"]["root_module"]["resources"][2]["type"]
    write("resource-without-type.json", json.dumps(broken, indent=1) + "\n")
    write("array.json", "[1, 2, 3]\n")
    write("planned-values-list.json", json.dumps({**plan(), "planned_values": []}, indent=1) + "\n")


if __name__ == "__main__":
    main()
