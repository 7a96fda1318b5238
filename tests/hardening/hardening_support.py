"""Helpers of the hardening tests (a module of its own: test modules cannot import a conftest reliably)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from envgate import live, localaws
from envgate.contract import load_contract
from envgate.paths import repo_root
from envgate.registry import BUILT_IN
from envgate.stack import Target

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
ACCOUNT = "123456789012"  # moto's default account
POLICY_FILES = ("contract.yaml", "rules.yaml", "waivers.yaml")
# The installed console script when there is one (what users run), else the same entry point as a module.
ENVGATE = ([str(Path(sys.executable).parent / "envgate")] if (Path(sys.executable).parent / "envgate").is_file()
           else [sys.executable, "-m", "envgate.cli"])


def scratch_copy(repo: Path, into: Path) -> Path:
    """What the `envgate` command reads (terraform/, environments/, the three policy files), copied to `into`/repo."""
    root = into / "repo"
    for name in ("terraform", "environments"):
        shutil.copytree(repo / name, root / name, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
    (root / "policies").mkdir()
    for name in POLICY_FILES:  # the built-in catalogue as the copy's own rules.yaml: cases edit it
        shutil.copy2(BUILT_IN if name == "rules.yaml" else repo / "policies" / name, root / "policies" / name)
    return root


@dataclass
class Run:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __str__(self) -> str:  # what an assertion shows
        return (f"$ envgate {' '.join(self.args)}\n-> exit {self.returncode}\n--- stdout\n{self.stdout[-3000:]}"
                f"\n--- stderr\n{self.stderr[-3000:]}")


def run_envgate(args: list[str], root: Path, env: Mapping[str, str | None] | None = None, timeout: float = 60) -> Run:
    """`envgate ARGS` in `root` (ENVGATE_ROOT=root), as CI runs it: not a terminal, its own process."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COLUMNS"))}
    environ.update({"ENVGATE_ROOT": str(root), "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"})
    for key, value in (env or {}).items():
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = value
    proc = subprocess.run([*ENVGATE, *args], cwd=root, env=environ, capture_output=True, text=True, timeout=timeout)
    return Run(list(args), proc.returncode, proc.stdout, proc.stderr)


# --- a small production-like environment on moto ------------------------------------------------------------

PROD_TAGS = {"Project": "media-downloader", "Environment": "production", "ManagedBy": "opentofu",
             "Workspace": "production"}
SEEDED_SECRET = "seeded-production-secret-value-7c41"


def _lambda_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return {}\n")
    return buffer.getvalue()


def seed_production(target: Target) -> dict[str, str]:
    """Create a few production resources as the stack names and tags them, plus the state object that
    gives them addresses. Returns {address: ARN}. Mutating calls here are setup, made outside any guard."""
    client = target.client
    region = target.region
    localaws.ensure_state_backend(client, target.state_bucket, target.lock_table)
    tag_list = [{"Key": k, "Value": v} for k, v in PROD_TAGS.items()]
    arns: dict[str, str] = {}

    logs = client("logs")
    group = "/aws/lambda/prod-RegisterUser"
    logs.create_log_group(logGroupName=group, tags=PROD_TAGS)
    logs.put_retention_policy(logGroupName=group, retentionInDays=7)
    arns["aws_cloudwatch_log_group.RegisterUser"] = f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{group}"

    iam = client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "lambda.amazonaws.com"}}]}
    role = iam.create_role(RoleName="prod-RegisterUser", AssumeRolePolicyDocument=json.dumps(trust), Tags=tag_list)
    arns["aws_iam_role.RegisterUser"] = role["Role"]["Arn"]
    queue_arn = f"arn:aws:sqs:{region}:{ACCOUNT}:prod-DownloadQueue"
    iam.put_role_policy(RoleName="prod-RegisterUser", PolicyName="prod-RegisterUser", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage",
                                                  "Resource": queue_arn}]}))

    fn = client("lambda").create_function(
        FunctionName="prod-RegisterUser", Runtime="python3.12", Role=role["Role"]["Arn"], Handler="handler.handler",
        Code={"ZipFile": _lambda_zip()}, Environment={"Variables": {"LOG_LEVEL": "INFO"}}, Tags=PROD_TAGS)
    arns["aws_lambda_function.RegisterUser"] = fn["FunctionArn"]

    url = client("sqs").create_queue(QueueName="prod-DownloadQueue", tags=PROD_TAGS)["QueueUrl"]
    arns["aws_sqs_queue.DownloadQueue"] = queue_arn
    topic = client("sns").create_topic(Name="prod-Operations", Tags=tag_list)["TopicArn"]
    arns["aws_sns_topic.Operations[0]"] = topic
    table = client("dynamodb").create_table(
        TableName="prod-Idempotency", BillingMode="PAY_PER_REQUEST", DeletionProtectionEnabled=True,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], Tags=tag_list)
    arns["aws_dynamodb_table.Idempotency"] = table["TableDescription"]["TableArn"]
    secret = client("secretsmanager").create_secret(
        Name="production/media-downloader/ApnsSigningKey", SecretString=SEEDED_SECRET, Tags=tag_list)
    arns["aws_secretsmanager_secret.ApnsSigningKey"] = secret["ARN"]

    identity = {"aws_cloudwatch_log_group.RegisterUser": {"name": group},
                "aws_iam_role.RegisterUser": {"name": "prod-RegisterUser"},
                "aws_lambda_function.RegisterUser": {"function_name": "prod-RegisterUser"},
                "aws_sqs_queue.DownloadQueue": {"name": "prod-DownloadQueue", "url": url},
                "aws_sns_topic.Operations[0]": {"name": "prod-Operations"},
                "aws_dynamodb_table.Idempotency": {"name": "prod-Idempotency"},
                "aws_secretsmanager_secret.ApnsSigningKey": {"name": "production/media-downloader/ApnsSigningKey"}}
    resources = []
    for address, attrs in identity.items():
        base, _, index = address.partition("[")
        type_, name = base.split(".")
        resources.append({"mode": "managed", "type": type_, "name": name,
                          "provider": 'provider["registry.opentofu.org/hashicorp/aws"]',
                          "instances": [{"index_key": int(index.rstrip("]")) if index else None, "schema_version": 0,
                                         "attributes": {**attrs, "arn": arns[address], "id": attrs.get("url", next(iter(attrs.values())))}}]})
    for res in resources:  # tofu writes no index_key for a resource without count
        if res["instances"][0]["index_key"] is None:
            del res["instances"][0]["index_key"]
    state = {"version": 4, "terraform_version": "1.12.6", "serial": 1,
             "lineage": "5d8e3f0a-hardening-seeded-production", "resources": resources,
             "outputs": {"environment": {"value": "production", "type": "string"},
                         "workspace": {"value": "production", "type": "string"}}}
    client("s3").put_object(Bucket=target.state_bucket, Key=load_contract().state_object("production", repo_root()),
                            Body=json.dumps(state).encode())
    return arns
