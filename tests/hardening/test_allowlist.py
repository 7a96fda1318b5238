"""Production is read-only by construction: only allow-listed operations, proven on a botocore Stubber.

No request here can leave the process: a Stubber answers every call that gets past the guard, and none is
queued for the forbidden ones (had the guard let one through, the Stubber would fail the test with "Unexpected
call" instead of an AWS endpoint seeing it).
"""

from __future__ import annotations

import boto3
import botocore.session
import pytest
from botocore.stub import Stubber

from envgate.allowlist import READ_ONLY_OPERATIONS, refusal
from envgate.guard import CallLog, MutatingCallRefused, allow_listed_only, watch

STATE = ("envgate-tfstate", "env:/production/media-downloader/terraform.tfstate")
READ_VERBS = ("Describe", "Get", "List", "Head")
# Reads that return secrets or data: never on the list, whatever a probe might want.
SECRET_READS = {("secretsmanager", "GetSecretValue"), ("ssm", "GetParameter"), ("ssm", "GetParameters"),
                ("apigateway", "GetApiKey"), ("kms", "Decrypt"), ("lambda", "Invoke"), ("sqs", "ReceiveMessage"),
                ("dynamodb", "GetItem"), ("dynamodb", "Scan"), ("dynamodb", "Query")}


@pytest.mark.parametrize("service", sorted(READ_ONLY_OPERATIONS))
def test_every_allowed_operation_exists_and_only_reads(service: str) -> None:
    model = botocore.session.get_session().get_service_model(service)
    for name in sorted(READ_ONLY_OPERATIONS[service]):
        assert name in model.operation_names, f"{service}:{name} is not an operation of botocore's {service} model"
        operation = model.operation_model(name)
        method = operation.http.get("method", "POST")
        rest = model.protocol.startswith("rest")
        reads = method in ("GET", "HEAD") if rest else name.startswith(READ_VERBS)
        assert reads, f"{service}:{name} is not a read ({model.protocol}, {method})"
        assert (service, name) not in SECRET_READS


def _session(read_only: bool = True) -> tuple[boto3.Session, CallLog]:
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="stub", aws_secret_access_key="stub")
    return session, watch(session, CallLog(), read_only, label="production (live probe)",
                          state_objects=frozenset({STATE}))


@pytest.mark.parametrize(("service", "call", "params", "why"), [
    ("logs", "put_retention_policy", {"logGroupName": "/aws/lambda/prod-Fn", "retentionInDays": 1}, "allow-list"),
    ("iam", "create_role", {"RoleName": "x", "AssumeRolePolicyDocument": "{}"}, "allow-list"),
    ("secretsmanager", "get_secret_value", {"SecretId": "production/media-downloader/key"}, "allow-list"),
    ("s3", "get_object", {"Bucket": STATE[0], "Key": "env:/production/other"}, "not the environment's state object"),
    ("s3", "get_object", {"Bucket": "prod-lifegames-media-files", "Key": STATE[1]}, "not the environment's state"),
    ("s3", "list_objects_v2", {"Bucket": "prod-lifegames-media-files"}, "not the state bucket"),
    ("apigateway", "get_api_keys", {"includeValues": True}, "would return the API key values"),
    ("sts", "assume_role", {"RoleArn": "arn:aws:iam::1:role/x", "RoleSessionName": "x"}, "allow-list"),
])
def test_a_call_outside_the_allow_list_is_refused_before_it_is_sent(service, call, params, why) -> None:
    session, log = _session()
    client = session.client(service)
    with Stubber(client):  # nothing queued: a call that got through would fail as "Unexpected call"
        with pytest.raises(MutatingCallRefused, match=rf"^production \(live probe\) is read-only: refused "
                                                       rf"{service}:\w+ \(.*{why}"):
            getattr(client, call)(**params)
    assert log.refused and not log.calls


def test_the_state_object_and_listed_reads_go_through() -> None:
    session, log = _session()
    s3 = session.client("s3")
    with Stubber(s3) as stub:
        stub.add_response("get_object", {"Body": b"{}"}, {"Bucket": STATE[0], "Key": STATE[1]})
        stub.add_response("list_buckets", {"Buckets": []}, {})
        s3.get_object(Bucket=STATE[0], Key=STATE[1])
        s3.list_buckets()
    assert dict(log.calls) == {"s3:GetObject": 1, "s3:ListBuckets": 1} and log.refused == []


def test_a_writable_session_counts_but_does_not_refuse() -> None:
    session, log = _session(read_only=False)
    logs = session.client("logs")
    with Stubber(logs) as stub:
        stub.add_response("put_retention_policy", {}, {"logGroupName": "g", "retentionInDays": 1})
        logs.put_retention_policy(logGroupName="g", retentionInDays=1)
    assert dict(log.calls) == {"logs:PutRetentionPolicy": 1} and log.mutating == 1


def test_a_real_aws_run_refuses_and_records_for_every_client() -> None:
    """--real-aws: every client of the process, not only the probe's, is held to the list."""
    log = CallLog()
    plain = boto3.client("secretsmanager", region_name="us-east-1", aws_access_key_id="stub",
                         aws_secret_access_key="stub")
    sts = boto3.client("sts", region_name="us-east-1", aws_access_key_id="stub", aws_secret_access_key="stub")
    with allow_listed_only(log, frozenset({STATE})), Stubber(plain), Stubber(sts) as stub:
        stub.add_response("get_caller_identity", {"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/x",
                                                  "UserId": "x"}, {})
        sts.get_caller_identity()
        with pytest.raises(MutatingCallRefused, match=r"^a --real-aws run is read-only: refused "
                                                       r"secretsmanager:GetSecretValue"):
            plain.get_secret_value(SecretId="production/media-downloader/key")
    assert dict(log.calls) == {"sts:GetCallerIdentity": 1} and log.refused == ["secretsmanager:GetSecretValue"]


def test_refusal_reasons() -> None:
    assert refusal("s3", "GetObject", {"Bucket": STATE[0], "Key": STATE[1]}, frozenset({STATE})) is None
    assert refusal("s3", "DeleteObject", {}, frozenset({STATE})) == "not on the read-only allow-list (envgate.allowlist)"
