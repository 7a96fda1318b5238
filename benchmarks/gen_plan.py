"""Synthetic `tofu show -json` plan documents of N resources for one environment (default production).

    python benchmarks/gen_plan.py 10000 -o /tmp/plan-10000.json [--env production] [--seed 7]

The resource mix follows the stack (per 20 resources: 3 log groups, 3 Lambda functions, 3 IAM roles with
3 inline policies, 2 SQS queues, 1 DynamoDB table, 1 SNS topic, 1 S3 bucket, 1 secret, 1 metric alarm,
1 API usage plan); every value is compliant with the environment's contract, with the ARNs and ids that
tofu only knows after apply marked unknown, as a real plan has them. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from envgate.contract import load_contract  # noqa: E402

ACCOUNT = "123456789012"
REGION = "us-east-1"
MIX = (["log_group"] * 3 + ["lambda"] * 3 + ["role"] * 3 + ["role_policy"] * 3 + ["queue"] * 2
       + ["table", "topic", "bucket", "secret", "alarm", "usage_plan"])


def _resource(kind: str, i: int, env: str, spec, secrets_path: str, rng: random.Random,
              tags: dict[str, str]) -> tuple[str, str, dict]:
    p = spec.prefix
    name = f"Svc{i:05d}"
    if kind == "log_group":
        return "aws_cloudwatch_log_group", name, {
            "name": f"/aws/lambda/{p}-{name}", "retention_in_days": spec.log_retention_days, "kms_key_id": None,
            "log_group_class": "STANDARD", "skip_destroy": False, "tags": tags, "tags_all": tags}
    if kind == "lambda":
        return "aws_lambda_function", name, {
            "function_name": f"{p}-{name}", "handler": "handler.handler", "runtime": "python3.12",
            "memory_size": rng.choice([128, 256, 512]), "timeout": 30,
            "environment": [{"variables": {"LOG_LEVEL": spec.log_level,
                                           "QUEUE_URL": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{p}-{name}",
                                           "TABLE_NAME": f"{p}-{name}"}}],
            "tags": tags, "tags_all": tags}
    if kind == "role":
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"Service": "lambda.amazonaws.com"}}]}
        return "aws_iam_role", name, {"name": f"{p}-{name}", "assume_role_policy": json.dumps(trust),
                                      "path": "/", "tags": tags, "tags_all": tags}
    if kind == "role_policy":
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
             "Resource": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{p}-{name}"},
            {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{p}-{name}:*"},
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
             "Resource": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{secrets_path}{name}-*"}]}
        return "aws_iam_role_policy", name, {"name": f"{p}-{name}", "role": f"{p}-{name}",
                                             "policy": json.dumps(policy)}
    if kind == "queue":
        return "aws_sqs_queue", name, {"name": f"{p}-{name}", "visibility_timeout_seconds": 180,
                                       "message_retention_seconds": 345600, "tags": tags, "tags_all": tags}
    if kind == "table":
        return "aws_dynamodb_table", name, {"name": f"{p}-{name}", "billing_mode": "PAY_PER_REQUEST",
                                            "hash_key": "id", "deletion_protection_enabled": spec.deletion_protection,
                                            "tags": tags, "tags_all": tags}
    if kind == "topic":
        return "aws_sns_topic", name, {"name": f"{p}-{name}", "tags": tags, "tags_all": tags}
    if kind == "bucket":
        return "aws_s3_bucket", name, {"bucket": f"{p}-{name.lower()}-{ACCOUNT}", "force_destroy": False,
                                       "tags": tags, "tags_all": tags}
    if kind == "secret":
        return "aws_secretsmanager_secret", name, {"name": f"{secrets_path}{name}", "recovery_window_in_days": 7,
                                                   "tags": tags, "tags_all": tags}
    if kind == "alarm":
        return "aws_cloudwatch_metric_alarm", name, {
            "alarm_name": f"{p}-{name}-Errors", "namespace": "AWS/Lambda", "metric_name": "Errors",
            "comparison_operator": "GreaterThanThreshold", "threshold": 0, "evaluation_periods": 1,
            "period": 300, "statistic": "Sum", "dimensions": {"FunctionName": f"{p}-{name}"},
            "alarm_actions": [f"arn:aws:sns:us-east-1:123456789012:{p}-Operations"],
            "tags": tags, "tags_all": tags}
    if kind == "usage_plan":
        api = spec.api
        return "aws_api_gateway_usage_plan", name, {
            "name": f"{p}-{name}", "throttle_settings": [{"burst_limit": api.throttle_burst_limit,
                                                          "rate_limit": api.throttle_rate_limit}],
            "quota_settings": [{"limit": api.quota_limit, "offset": 0, "period": "DAY"}],
            "tags": tags, "tags_all": tags}
    raise ValueError(kind)


def generate(count: int, env: str = "production", seed: int = 7) -> dict:
    contract = load_contract(REPO / "policies" / "contract.yaml")
    spec = contract.env(env)
    secrets_path = contract.secrets_path_of(env)
    tags = contract.tags_of(env)
    rng = random.Random(seed)
    planned, changes = [], []
    kinds = [MIX[i % len(MIX)] for i in range(count)]
    if spec.alarms:  # the operations topic the contract's alarm switch looks for
        kinds[kinds.index("topic")] = "ops_topic"
    for i, kind in enumerate(kinds):
        if kind == "ops_topic":
            type_, name, values = "aws_sns_topic", "Operations", {"name": f"{spec.prefix}-Operations",
                                                                  "tags": tags, "tags_all": tags}
        else:
            type_, name, values = _resource(kind, i, env, spec, secrets_path, rng, dict(tags))
        address = f"{type_}.{name}"
        unknown: dict = {"arn": True, "id": True}
        if type_ == "aws_api_gateway_usage_plan":  # bound to its API's stage, whose id a first plan cannot know
            values["api_stages"] = [{"stage": env, "throttle": []}]
            unknown["api_stages"] = [{"api_id": True}]
        planned.append({"address": address, "mode": "managed", "type": type_, "name": name,
                        "provider_name": "registry.opentofu.org/hashicorp/aws", "schema_version": 0,
                        "values": values, "sensitive_values": {"tags": {}, "tags_all": {}}})
        changes.append({"address": address, "mode": "managed", "type": type_, "name": name,
                        "provider_name": "registry.opentofu.org/hashicorp/aws",
                        "change": {"actions": ["create"], "before": None, "after": values,
                                   "after_unknown": unknown,
                                   "before_sensitive": False, "after_sensitive": {"tags": {}, "tags_all": {}}}})
    return {"format_version": "1.2", "terraform_version": "1.12.6",
            "variables": {contract.variable("name"): {"value": env}},
            "planned_values": {"root_module": {"resources": planned}},
            "resource_changes": changes, "errored": False}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--env", default="production")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    args.output.write_text(json.dumps(generate(args.count, args.env, args.seed)))


if __name__ == "__main__":
    main()
