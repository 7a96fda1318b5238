"""Issue 7: safety proofs.

- probing production (read_only in the contract) makes zero mutating calls: counted by the guard's CallLog and
  cross-checked by moto's own request recorder; a mutating call is refused before it is sent;
- a local run cannot reach real AWS: boto3 is refused before sending, tofu hits the sandbox's dead proxy;
- two concurrent applies on one workspace: one clean state-lock error, the other applies, the state parses;
- sensitive plan values never reach the terminal, JUnit, SARIF, Markdown or findings.json.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import boto3
import botocore.httpsession
import pytest
from botocore.awsrequest import AWSResponse
from hardening_support import SEEDED_SECRET, run_envgate

from envgate import engine, live, localaws, plan, report, stack
from envgate.allowlist import READ_ONLY_OPERATIONS
from envgate.contract import load_contract
from envgate.errors import EnvgateError
from envgate.findings import Outcome
from envgate.guard import READ_PREFIXES, CallLog, MutatingCallRefused, RealAwsRequest, loopback_only, watch
from envgate.resource import Resource
from envgate.stack import Target

SMOKE = Path(__file__).resolve().parents[1] / "toolchain" / "smoke"
SMOKE_SELECTION = stack.Selection("terraform", ("environments/smoke.tfvars",), "smoke", "smoke/terraform.tfstate")


# --- production probe: read-only, proven twice ---------------------------------------------------------------

def _recorder(endpoint: str, action: str) -> bytes:
    method = "GET" if action == "download-recording" else "POST"
    request = urllib.request.Request(f"{endpoint}/moto-api/recorder/{action}", data=None if method == "GET" else b"",
                                     method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def _operation(entry: dict) -> str:
    """The API operation of one recorded request: JSON protocols name it in X-Amz-Target, query protocols in
    Action=; REST ones (S3, Lambda, API Gateway, DSQL) by their HTTP method."""
    headers = {k.lower(): v for k, v in entry["headers"].items()}
    if "x-amz-target" in headers:
        return headers["x-amz-target"].rsplit(".", 1)[-1]
    body = entry.get("body") or ""
    if entry.get("body_encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    action = urllib.parse.parse_qs(body).get("Action") or urllib.parse.parse_qs(
        urllib.parse.urlparse(entry["url"]).query).get("Action")
    if action:
        return action[0]
    return f"{entry['method']} {urllib.parse.urlparse(entry['url']).path}"


def _is_read(operation: str) -> bool:
    return operation.startswith(READ_PREFIXES) or operation.split(" ", 1)[0] in ("GET", "HEAD")


def test_production_probe_makes_zero_mutating_calls(seeded_moto) -> None:
    target, arns = seeded_moto
    assert load_contract().env("production").read_only, "the contract marks production read-only"
    _recorder(target.endpoint, "reset-recording")
    _recorder(target.endpoint, "start-recording")
    try:
        result = live.probe(target, "production")
    finally:
        _recorder(target.endpoint, "stop-recording")
    recorded = [json.loads(line) for line in _recorder(target.endpoint, "download-recording").decode().splitlines()
                if line.strip()]

    calls = result.calls
    assert calls.mutating == 0 and calls.refused == [], dict(calls.calls)
    assert all(op.split(":", 1)[1].startswith(READ_PREFIXES) for op in calls.calls), dict(calls.calls)
    assert all(op.split(":", 1)[1] in READ_ONLY_OPERATIONS[op.split(":")[0]] for op in calls.calls), dict(calls.calls)
    # moto saw exactly the requests the guard counted, and every one of them only reads.
    operations = [_operation(entry) for entry in recorded]
    assert len(operations) == calls.total > 10, (operations, dict(calls.calls))
    assert [op for op in operations if not _is_read(op)] == [], operations
    found = {r.address for r in result.resources}
    assert set(arns) <= found, found  # every seeded resource was seen, by its state address
    # Nothing the probe could have read carries a secret value: it never asks for one.
    assert not [op for op in calls.calls if op.endswith(("GetSecretValue", "GetApiKey"))]
    assert SEEDED_SECRET not in repr([dict(r.values) for r in result.resources])


def test_a_mutating_call_on_production_is_refused_before_it_is_sent(seeded_moto) -> None:
    target, _ = seeded_moto
    prober = live.Prober(target, "production")
    group = "/aws/lambda/prod-RegisterUser"
    _recorder(target.endpoint, "reset-recording")
    _recorder(target.endpoint, "start-recording")
    try:
        with pytest.raises(MutatingCallRefused, match=r"^production \(live probe\) is read-only: refused "
                                                       r"logs:PutRetentionPolicy"):
            prober.client("logs").put_retention_policy(logGroupName=group, retentionInDays=1)
    finally:
        _recorder(target.endpoint, "stop-recording")
    assert prober.log.refused == ["logs:PutRetentionPolicy"] and prober.log.mutating == 1
    assert _recorder(target.endpoint, "download-recording").strip() == b"", "the refused call reached moto"
    groups = target.client("logs").describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert groups[0]["retentionInDays"] == 7


def test_the_call_log_counts_what_it_lets_through(seeded_moto) -> None:
    """The zero above is a count: a session that may write counts its writes."""
    target, _ = seeded_moto
    session = target.session()
    log = watch(session, CallLog(), read_only=False)
    client = target.client("sqs", session)
    url = client.get_queue_url(QueueName="prod-DownloadQueue")["QueueUrl"]
    client.tag_queue(QueueUrl=url, Tags={"Touched": "by-test"})
    client.untag_queue(QueueUrl=url, TagKeys=["Touched"])
    assert dict(log.calls) == {"sqs:GetQueueUrl": 1, "sqs:TagQueue": 1, "sqs:UntagQueue": 1}
    assert log.total == 3 and log.mutating == 2


# --- a local run cannot reach real AWS ------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint", ["https://s3.amazonaws.com", None], ids=["explicit", "default"])
def test_boto3_to_real_aws_is_refused_before_sending(endpoint, monkeypatch) -> None:
    sent: list[str] = []

    def spy(self, request):  # what would put bytes on the wire
        sent.append(request.url)
        raise AssertionError(f"a request was sent to {request.url}")

    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", spy)
    client = boto3.Session(region_name="us-east-1", **localaws.boto_credentials()).client("s3", endpoint_url=endpoint)
    with loopback_only(), pytest.raises(RealAwsRequest, match=r"^refused a request to https://s3\.(us-east-1\.)?"
                                                               r"amazonaws\.com/: local runs only reach the emulator$"):
        client.list_buckets()
    assert sent == []


def test_sandboxed_tofu_cannot_reach_aws(toolchain, tmp_path) -> None:
    """Even a provider pointed at real AWS on purpose gets no further than the sandbox's dead proxy."""
    work = tmp_path / "escape"
    work.mkdir()
    (work / "main.tf").write_text(
        'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n'
        'provider "aws" {\n  region = "us-east-1"\n  access_key = "test"\n  secret_key = "test"\n'
        '  skip_metadata_api_check = true\n  max_retries = 1\n'
        '  endpoints {\n    sts = "https://sts.amazonaws.com"\n  }\n}\n'
        'data "aws_caller_identity" "me" {}\n')
    dead_local = f"http://127.0.0.1:{localaws.free_port()}"
    env = {**os.environ, **toolchain.env(), **localaws.sandbox_env(dead_local)}
    tofu = lambda *a: subprocess.run([str(toolchain.tofu), *a, "-no-color", "-input=false"], cwd=work, env=env,  # noqa: E731
                                     capture_output=True, text=True, timeout=240)
    init = tofu("init")
    assert init.returncode == 0, init.stdout + init.stderr
    planned = tofu("plan")
    output = planned.stdout + planned.stderr
    assert planned.returncode != 0, output
    assert "sts.amazonaws.com" in output and "127.0.0.1:9" in output, output  # refused by the proxy, not by AWS
    assert "connection refused" in output.lower(), output


# --- two applies, one workspace -----------------------------------------------------------------------------

@pytest.mark.selftest
@pytest.mark.slow
def test_concurrent_applies_one_lock_error_state_intact(toolchain, tmp_path) -> None:
    with localaws.MotoServer(log=tmp_path / "moto.log") as server:
        for attempt in range(3):  # both may (rarely) run one after the other: then try again on a fresh state
            target = stack.Target(endpoint=server.endpoint, state_bucket=f"envgate-lock-{attempt}",
                                  lock_table=f"envgate-lock-{attempt}")
            localaws.ensure_state_backend(target.client, target.state_bucket, target.lock_table)
            runs = [stack.prepare(SMOKE, "smoke", toolchain, target, tmp_path / f"a{attempt}-{i}", sel=SMOKE_SELECTION)
                    for i in (0, 1)]
            outcomes: list[object] = [None, None]
            start = threading.Barrier(2)

            def apply(i: int) -> None:
                start.wait()
                try:
                    outcomes[i] = runs[i].apply()
                except EnvgateError as exc:
                    outcomes[i] = exc

            threads = [threading.Thread(target=apply, args=(i,)) for i in (0, 1)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=300)
            errors = [o for o in outcomes if isinstance(o, EnvgateError)]
            if not errors:
                continue
            assert len(errors) == 1, [str(e) for e in errors]
            first_line = str(errors[0]).splitlines()[0]
            assert first_line == "smoke: tofu apply failed: Error: Error acquiring the state lock", str(errors[0])
            assert str(errors[0]).splitlines()[1].strip().startswith("reproduce: cd "), str(errors[0])
            assert "Lock Info:" in str(errors[0]) and "OperationTypeApply" in str(errors[0])  # who holds it
            break
        else:
            pytest.fail("three times the two applies did not overlap: no lock contention to observe")

        s3 = target.client("s3")
        body = s3.get_object(Bucket=target.state_bucket, Key=f"env:/smoke/{SMOKE_SELECTION.state_key}")["Body"].read()
        state = json.loads(body)
        assert state["version"] == 4 and state["serial"] >= 1 and state["lineage"]
        assert [(r["type"], r["name"]) for r in state["resources"]] == [("aws_sqs_queue", "smoke")]
        items = target.client("dynamodb").scan(TableName=target.lock_table)["Items"]
        assert [i for i in items if not i["LockID"]["S"].endswith("-md5")] == [], "a lock was left behind"
        winner = runs[outcomes.index(next(o for o in outcomes if not isinstance(o, EnvgateError)))]
        assert winner.plan_exitcode() == 0, "the applied state matches the configuration"


# --- sensitive values ----------------------------------------------------------------------------------------

SECRET = "staging-leak-4f1d9c2e-DO-NOT-PRINT"      # a foreign word inside: EG007 fails on it
LOG_SECRET = "TRACE-7b0e55aa-DO-NOT-PRINT"         # not the contract's log level: EG011 fails on it
OUTPUT_SECRET = "output-91c3d7f0-DO-NOT-PRINT"
FRAGMENTS = ("4f1d9c2e", "7b0e55aa", "91c3d7f0")   # no part of any secret may show


def _sensitive_plan(path: Path) -> Path:
    tags = {"Project": "media-downloader", "Environment": "production", "ManagedBy": "opentofu",
            "Workspace": "production"}
    resources = [
        ("aws_secretsmanager_secret", "ApnsSigningKey", {"name": "production/media-downloader/apns-signing-key",
                                                         "tags": tags, "tags_all": tags}, {}),
        ("aws_secretsmanager_secret_version", "ApnsSigningKey", {"secret_string": SECRET},
         {"secret_string": True}),
        ("aws_lambda_function", "RegisterUser",
         {"function_name": "prod-RegisterUser", "tags": tags, "tags_all": tags,
          "environment": [{"variables": {"LOG_LEVEL": LOG_SECRET, "API_TOKEN": SECRET}}]},
         {"environment": [{"variables": {"LOG_LEVEL": True, "API_TOKEN": True}}]}),
    ]
    doc = {
        "format_version": "1.2", "terraform_version": "1.12.6",
        "variables": {"environment": {"value": "production"}},
        "planned_values": {
            "outputs": {"api_key_value": {"sensitive": True, "value": OUTPUT_SECRET}},
            "root_module": {"resources": [
                {"address": f"{t}.{n}", "mode": "managed", "type": t, "name": n, "values": v, "sensitive_values": s}
                for t, n, v, s in resources]}},
        "resource_changes": [
            {"address": f"{t}.{n}", "mode": "managed", "type": t, "name": n,
             "change": {"actions": ["create"], "before": None, "after": v, "after_unknown": {"id": True},
                        "before_sensitive": False, "after_sensitive": s}} for t, n, v, s in resources],
        "output_changes": {"api_key_value": {"actions": ["create"], "before": None, "after": OUTPUT_SECRET,
                                             "after_unknown": False, "before_sensitive": False,
                                             "after_sensitive": True}},
        "errored": False,
    }
    path.write_text(json.dumps(doc, indent=1))
    return path


def _leaks(text: str) -> list[str]:
    return [s for s in (SECRET, LOG_SECRET, OUTPUT_SECRET, *FRAGMENTS) if s in text]


def _artifacts(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): p.read_text(errors="replace") for p in sorted(directory.rglob("*"))
            if p.is_file()}


def test_sensitive_values_never_reach_findings_or_report_writers(tmp_path) -> None:
    source = _sensitive_plan(tmp_path / "plan.json")
    assert SECRET in source.read_text(), "the fixture does carry the secret"
    resources = plan.resources(plan.load_plan(source), "production")
    findings = engine.evaluate(resources, "production", "plan")
    failing = {(f.rule_id, f.attribute) for f in findings if f.outcome is Outcome.FAIL and f.sensitive}
    assert {("EG007", "secret_string"), ("EG007", "environment[0].variables.API_TOKEN"),
            ("EG011", "environment[0].variables.LOG_LEVEL")} <= failing, failing
    shown = "\n".join([*map(str, findings), *map(repr, findings), *(json.dumps(f.to_dict()) for f in findings),
                       *map(repr, resources)])
    assert _leaks(shown) == []
    written = report.write_report(report.Report(findings, [], {"failed": 1}), tmp_path / "reports")
    assert set(written) == {"json", "sarif", "markdown"}
    for name, text in _artifacts(tmp_path / "reports").items():
        assert _leaks(text) == [], f"{name} shows a secret"
        assert "(sensitive)" in text or name.endswith(".md"), name


def test_sensitive_values_never_reach_the_cli(tmp_path, scratch_repo) -> None:
    source = _sensitive_plan(tmp_path / "plan.json")
    run = run_envgate(["check-plan", str(source), "--env", "production", "--report-dir", str(tmp_path / "out")],
                      scratch_repo)
    assert run.returncode == 1 and "envgate verdict: FAIL" in run.stdout, run
    assert "(sensitive)" in run.stdout, run
    assert _leaks(run.output) == [], run
    for name, text in _artifacts(tmp_path / "out").items():
        assert _leaks(text) == [], f"{name} shows a secret"


def test_sensitive_values_never_reach_a_pytest_run(tmp_path, repo_root) -> None:
    """The plan tier on the plan (--plan-file), failing, at full verbosity: terminal, JUnit and the reports."""
    source = _sensitive_plan(tmp_path / "plan.json")
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "plan", "tests/plan/test_plan_gate.py", "-p", "no:cacheprovider",
         "-vv", "-rA", "--tb=long", "--env=production",
         f"--plan-file=production={source}", f"--junitxml={out / 'junit.xml'}", f"--report-dir={out}"],
        cwd=repo_root, env=env, capture_output=True, text=True, timeout=180)
    terminal = proc.stdout + proc.stderr
    assert proc.returncode == 1, terminal[-3000:]
    assert "(sensitive)" in terminal, terminal[-3000:]
    assert _leaks(terminal) == [], [line for line in terminal.splitlines() if _leaks(line)][:5]
    artifacts = _artifacts(out)
    assert {"junit.xml", "findings.json", "envgate.sarif", "summary.md"} <= set(artifacts), sorted(artifacts)
    for name, text in artifacts.items():
        assert _leaks(text) == [], f"{name} shows a secret"


# --- nothing unread passes -------------------------------------------------------------------------------------

@dataclass
class _DenyingTarget(Target):
    """moto, except that `denied` answers AccessDenied (as an account whose role lacks that permission)."""

    denied: str = ""

    def session(self):
        session = super().session()

        def deny(model, **_):
            if model.name == self.denied:
                return (AWSResponse("https://denied.invalid/", 403, {}, None),
                        {"Error": {"Code": "AccessDenied", "Message": "not authorized for this test"},
                         "ResponseMetadata": {"HTTPStatusCode": 403}})
            return None

        session.events.register("before-call", deny)
        return session


@pytest.mark.parametrize(("denied", "type_"), [("GetQueueAttributes", "aws_sqs_queue_policy"),
                                               ("GetTopicAttributes", "aws_sns_topic_policy"),
                                               ("GetRolePolicy", "aws_iam_role_policy")])
def test_a_policy_the_probe_cannot_read_fails_naming_the_call(seeded_moto, denied: str, type_: str) -> None:
    target, _ = seeded_moto
    result = live.probe(_DenyingTarget(endpoint=target.endpoint, denied=denied), "production")
    [unread] = [r for r in result.of_type(type_) if r.is_unknown("policy")]
    staging = [Resource(type="aws_sqs_queue", address="aws_sqs_queue.Q", env="staging",
                        values={"arn": "arn:aws:sqs:us-east-1:123456789012:stag-Q"})]
    findings = engine.evaluate(result.resources, "production", "live", only=["EG008", "EG013"],
                               others={"staging": staging})
    fails = sorted((f.rule_id, f.message) for f in findings if f.outcome is Outcome.FAIL and f.address == unread.address)
    unreadable = f"policy is (unreadable: {denied} refused: AccessDenied: not authorized for this test)"
    assert fails == [
        ("EG008", f"production {unread.address} (unknown location): {unreadable}, contract says an ARN of production "
                  "(prod-*, /aws/lambda/prod-*, production/media-downloader/*)"),
        ("EG013", f"production {unread.address} (unknown location): {unreadable}, contract says a policy the probe "
                  "can read")], fails
