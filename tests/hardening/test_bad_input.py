"""Issue 7: bad input never passes and never ends in a traceback: it is ONE line naming the file or resource.

The CLI corpus (corpus/cases.yaml, plan documents in corpus/plans/) runs `envgate` as a subprocess on a scratch
copy of the repository. The rest covers what a file cannot hold: the pytest option, an AWS endpoint that is
down or dies mid-run, throttling (recovered by the adaptive retries, or exhausted), missing credentials and a
wrong region, against moto servers and a tiny scripted HTTP server on loopback.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hardening_support import CORPUS, Run, run_envgate, scratch_copy, seed_production

from envgate import engine, live, localaws, plan
from envgate.errors import EnvgateError
from envgate.findings import Outcome
from envgate.stack import Target

CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text())
FAIL_LINE = re.compile(r"^\s*✘ (.*)$", re.M)


def _apply(root: Path, edit: dict) -> None:
    path = root / next(edit[op] for op in ("append", "replace", "write", "delete") if op in edit)
    if "append" in edit:
        path.write_text(path.read_text().rstrip("\n") + "\n" + edit["text"] + "\n")
    elif "replace" in edit:
        text = path.read_text()
        assert edit["old"] in text, f"corpus edit: {edit['old']!r} is not in {path.name} (update cases.yaml)"
        path.write_text(text.replace(edit["old"], edit["new"], 1))
    elif "write" in edit:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(edit["text"])
    else:
        path.unlink()


def _fill(value: str, root: Path) -> str:
    return value.format(corpus=CORPUS, root=root, dead_port=localaws.free_port())


def _check(ok: object, message: str) -> None:
    if not ok:
        pytest.fail(message, pytrace=False)


def assert_one_clear_line(run: Run, case: dict) -> None:
    """The contract every bad input meets (see corpus/cases.yaml)."""
    _check("Traceback" not in run.output, f"traceback\n{run}")
    _check(run.returncode != 0 and "verdict: PASS" not in run.stdout, f"{case['id']}: bad input passed\n{run}")
    _check(run.returncode == case["exit"], f"exit {run.returncode}, expected {case['exit']}\n{run}")
    if case["exit"] == 2:
        _check(run.stderr.endswith("\n") and run.stderr.count("\n") == 1, f"not one line on stderr\n{run}")
        _check(re.search(case["line"], run.stderr.rstrip("\n")), f"{case['line']!r} does not match\n{run}")
        _check("verdict" not in run.stdout, f"a verdict on bad input\n{run}")
    else:
        fails = FAIL_LINE.findall(run.stdout)
        _check(len(fails) == case.get("fails", 1), f"expected {case.get('fails', 1)} failing line(s)\n{run}")
        _check([f for f in fails if re.search(case["line"], f)], f"{case['line']!r} matches no failing line\n{run}")
        _check(not run.stderr and "envgate verdict: FAIL" in run.stdout, f"no FAIL verdict\n{run}")


def _run_case(case: dict, root: Path) -> Run:
    for edit in case.get("edit", []):
        _apply(root, edit)
    env = {k: (None if v is None else _fill(str(v), root)) for k, v in (case.get("env") or {}).items()}
    args = [_fill(str(a), root) for a in case["args"]]
    if args[0] in ("static", "check-plan"):
        args += ["--report-dir", str(root / "reports")]
    return run_envgate(args, root, env)


@pytest.fixture(scope="module")
def cli_runs(request, repo_root: Path, tmp_path_factory) -> dict[str, Run]:
    """Every selected case run up front, a few `envgate` processes at a time (each case is one process)."""
    selected = {item.callspec.id for item in request.session.items
                if item.originalname == "test_cli_bad_input" and hasattr(item, "callspec")}
    cases = [c for c in CASES if c["id"] in selected]
    roots = {c["id"]: scratch_copy(repo_root, tmp_path_factory.mktemp(c["id"])) for c in cases}
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {c["id"]: pool.submit(_run_case, c, roots[c["id"]]) for c in cases}
        return {key: future.result() for key, future in futures.items()}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_cli_bad_input(case: dict, cli_runs: dict[str, Run]) -> None:
    assert_one_clear_line(cli_runs[case["id"]], case)


def test_corpus_is_broad_and_its_base_is_valid(scratch_repo: Path) -> None:
    """Each case breaks one thing: unedited, the scratch repository and the base plan pass."""
    assert len(CASES) >= 30 and len({c["id"] for c in CASES}) == len(CASES)
    for args in (["static"], ["check-plan", str(CORPUS / "plans" / "valid.json"), "--env", "staging"]):
        run = run_envgate([*args, "--report-dir", str(scratch_repo / "reports")], scratch_repo)
        assert run.returncode == 0 and "envgate verdict: PASS" in run.stdout, run


# --- the plan gate on unknown values -------------------------------------------------------------------------

def test_unknown_values_everywhere_are_deferred_never_passed() -> None:
    doc = plan.load_plan(CORPUS / "plans" / "all-unknown.json")
    resources = plan.resources(doc, "staging")
    findings = engine.evaluate(resources, "staging", "plan")
    by_outcome = {o: [f for f in findings if f.outcome is o] for o in Outcome}
    assert len(by_outcome[Outcome.DEFERRED]) >= 20
    # EG006 asks which resources the plan creates (no alarm in staging): that a plan knows without any value.
    passed = [f for f in by_outcome[Outcome.PASS] if not (f.rule_id == "EG006" and f.attribute == "count")]
    assert not passed, "\n".join(map(str, passed))
    assert not by_outcome[Outcome.FAIL], "\n".join(map(str, by_outcome[Outcome.FAIL]))
    covered = {f.rule_id for f in by_outcome[Outcome.DEFERRED]}
    assert {"EG001", "EG002", "EG003", "EG004", "EG005", "EG007", "EG008", "EG011", "EG012"} <= covered


# --- pytest options ------------------------------------------------------------------------------------------

def test_pytest_unknown_env_is_a_usage_error(repo_root: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pytest", "--env", "nope", "-p", "no:cacheprovider",
                           "--collect-only", "-q", "tests/unit"], cwd=repo_root, capture_output=True, text=True,
                          timeout=120)
    output = proc.stdout + proc.stderr
    assert proc.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.strip()]
    assert errors == ["ERROR: --env: unknown environment nope (known: dev, production, staging)"], output


# --- AWS down, dying, throttling, no credentials, wrong region ---------------------------------------------

def _one_line(exc: pytest.ExceptionInfo, *parts: str) -> str:
    message = str(exc.value)
    assert isinstance(exc.value, EnvgateError) and "\n" not in message, message
    assert "Traceback" not in message
    for part in parts:
        assert part in message, message
    return message


def test_endpoint_with_nothing_listening(no_retry_wait) -> None:
    endpoint = f"http://127.0.0.1:{localaws.free_port()}"
    with pytest.raises(EnvgateError) as raised:
        live.probe(Target(endpoint=endpoint), "production")
    _one_line(raised, "production: live probe cannot read the caller identity (sts:GetCallerIdentity): Could not "
                      f'connect to the endpoint URL: "{endpoint}/"')


@dataclass
class _DyingTarget(Target):
    """A target whose moto server is killed just before the `kill_at`-th API call of a probe."""

    server: localaws.MotoServer | None = None
    kill_at: int = 1

    def session(self):
        session = super().session()
        calls = []

        def count(model, **_):
            calls.append(model.name)
            if len(calls) == self.kill_at and self.server:
                self.server.stop()

        session.events.register("before-call", count)
        return session


@pytest.mark.parametrize("kill_at", [1, 2, 3, 6], ids=["caller-identity", "state-read", "first-list", "detail-call"])
def test_moto_killed_mid_probe(kill_at: int, tmp_path: Path, no_retry_wait) -> None:
    """Whatever call the server dies before (STS, the state read, a list, a detail call) -> one line, the call named."""
    server = localaws.MotoServer(log=tmp_path / "moto.log").start()
    try:
        seed_production(Target(endpoint=server.endpoint))
        target = _DyingTarget(endpoint=server.endpoint, server=server, kill_at=kill_at)
        with pytest.raises(EnvgateError) as raised:
            live.probe(target, "production")
    finally:
        server.stop()
    _one_line(raised, "production: ", "Could not connect to the endpoint URL")
    assert re.match(r"production: (live probe cannot read the caller identity \(sts:GetCallerIdentity\)|live probe "
                    r"cannot list \w+:\w+|live probe failed on aws_\w+|cannot read state s3://\S+): ",
                    str(raised.value)), raised.value


class _Scripted(http.server.BaseHTTPRequestHandler):
    """STS, an S3 GET and CloudWatch Logs (JSON protocol) on loopback. Logs answers ThrottlingException for its first
    `throttle` requests; after `expire_after` requests of any kind every answer is AWS's expired-token error. STS
    names a caller; the S3 GET (the probe's state read) is answered NoSuchKey: no state, go on probing."""

    throttle = 0
    expire_after: int | None = None
    seen: list[str] = []
    requests = 0

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _expired(self) -> bool:
        cls = type(self)
        cls.requests += 1
        return cls.expire_after is not None and cls.requests > cls.expire_after

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self._expired():
            self._send(400, b"<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message>"
                            b"</Error>", "application/xml")
            return
        self._send(404, b"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>",
                   "application/xml")

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        target = self.headers.get("X-Amz-Target", "")
        if self._expired():
            if target:
                self._send(400, json.dumps({"__type": "ExpiredTokenException", "message": "The security token "
                                            "included in the request is expired"}).encode(), "application/x-amz-json-1.1")
            else:
                self._send(403, b"<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The "
                                b"security token included in the request is expired</Message></Error></ErrorResponse>",
                           "text/xml")
            return
        if b"Action=GetCallerIdentity" in body:
            self._send(200, b"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:user/"
                            b"ci</Arn><UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
                            b"</GetCallerIdentityResponse>", "text/xml")
            return
        type(self).seen.append(target)
        if len(type(self).seen) <= type(self).throttle:
            status, answer = 400, {"__type": "ThrottlingException", "message": "Rate exceeded"}
        else:
            status, answer = 200, {"logGroups": [{"logGroupName": "/aws/lambda/prod-RegisterUser",
                                                  "retentionInDays": 7}]}
        self._send(status, json.dumps(answer).encode(), "application/x-amz-json-1.1")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def scripted_logs() -> Iterator[type[_Scripted]]:
    handler = type("Handler", (_Scripted,), {"seen": [], "throttle": 0, "expire_after": None, "requests": 0})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    handler.endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield handler
    finally:
        server.shutdown()
        server.server_close()


def test_throttling_is_recovered_by_adaptive_retries(scripted_logs) -> None:
    scripted_logs.throttle = 2
    client = Target(endpoint=scripted_logs.endpoint).client("logs")
    # botocore's max_attempts counts retries: 8 retries = 9 attempts
    assert client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 9}
    groups = client.describe_log_groups()["logGroups"]  # real back-off: 2 throttles, then the answer
    assert [g["logGroupName"] for g in groups] == ["/aws/lambda/prod-RegisterUser"]
    assert scripted_logs.seen == ["Logs_20140328.DescribeLogGroups"] * 3


def test_throttling_that_never_ends_is_one_line(scripted_logs, no_retry_wait) -> None:
    scripted_logs.throttle = 10_000
    with pytest.raises(EnvgateError) as raised:
        live.probe(Target(endpoint=scripted_logs.endpoint), "production")
    _one_line(raised, "production: live probe cannot list logs:DescribeLogGroups: ThrottlingException: Rate exceeded")
    assert len(scripted_logs.seen) == 9, "every attempt was made before giving up"


def test_real_aws_without_credentials_is_one_line(monkeypatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(EnvgateError) as raised:  # (the loopback guard stays on: nothing may be sent anyway)
        live.probe(Target(endpoint=None, region="eu-west-1"), "production")
    _one_line(raised, "production: live probe cannot read the caller identity (sts:GetCallerIdentity): Unable to "
                      "locate credentials")


@pytest.mark.parametrize(("expire_after", "message"), [
    (0, "production: live probe cannot read the caller identity (sts:GetCallerIdentity): ExpiredToken: The security "
        "token included in the request is expired"),
    (1, "production: cannot read state s3://envgate-tfstate/env:/production/media-downloader/terraform.tfstate: "
        "ExpiredToken: The provided token has expired."),
    (2, "production: live probe cannot list logs:DescribeLogGroups: ExpiredTokenException: The security token "
        "included in the request is expired"),
], ids=["before-the-probe", "at-the-state-read", "mid-probe"])
def test_expired_credentials_are_one_line(scripted_logs, no_retry_wait, expire_after: int, message: str) -> None:
    scripted_logs.expire_after = expire_after
    with pytest.raises(EnvgateError) as raised:
        live.probe(Target(endpoint=scripted_logs.endpoint), "production")
    assert _one_line(raised) == message


@pytest.mark.parametrize(("body", "why"), [(b"\x1f\x8b\x08 gzip?", "not JSON: "),
                                           (b"[1, 2]", "JSON without a state `version`")], ids=["bytes", "json-list"])
def test_a_state_object_that_is_not_a_state_is_one_line_and_kept(body: bytes, why: str, tmp_path: Path,
                                                                  no_retry_wait) -> None:
    """On the local AWS: the state key holds something else -> the probe stops with one line; the object is not
    touched (same body, same single version)."""
    server = localaws.MotoServer(log=tmp_path / "moto.log").start()
    try:
        target = Target(endpoint=server.endpoint)
        seed_production(target)
        s3 = target.client("s3")
        key = "env:/production/media-downloader/terraform.tfstate"
        s3.put_object(Bucket=target.state_bucket, Key=key, Body=body)
        with pytest.raises(EnvgateError) as raised:
            live.probe(target, "production")
        versions = s3.list_object_versions(Bucket=target.state_bucket, Prefix=key).get("Versions", [])
        kept = s3.get_object(Bucket=target.state_bucket, Key=key)["Body"].read()
    finally:
        server.stop()
    _one_line(raised, f"production: s3://envgate-tfstate/{key} is not a state file ({why}")
    assert kept == body
    assert len(versions) == 2  # the seeded state and the bad one: nothing written by the probe


def test_probe_in_the_wrong_region_is_one_line(seeded_moto) -> None:
    """Region-bound resources are not found elsewhere, IAM is global: without the check this looked clean."""
    target, _ = seeded_moto
    with pytest.raises(EnvgateError) as raised:
        live.probe(Target(endpoint=target.endpoint, region="eu-west-1"), "production")
    _one_line(raised, "production: its state env:/production/media-downloader/terraform.tfstate holds resources "
                      "in us-east-1, but the probe ran in eu-west-1 (wrong --region?)")


# --- what envgate refuses as invalid, tofu refuses too ---------------------------------------------------------

REFUSED = [c for c in CASES if c.get("tofu_refuses")]


@pytest.fixture(scope="module")
def validated(toolchain, repo_root: Path, tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    """`tofu init -backend=false && tofu validate` on each case's edited copy (offline provider mirror)."""
    env = {**os.environ, **toolchain.env(), **localaws.sandbox_env("http://127.0.0.1:9")}
    out = {}
    for case in REFUSED:
        root = scratch_copy(repo_root, tmp_path_factory.mktemp(f"validate-{case['id']}"))
        for edit in case["edit"]:
            _apply(root, edit)
        stack = root / "terraform"
        init = subprocess.run([str(toolchain.tofu), "init", "-backend=false", "-input=false", "-no-color"], cwd=stack,
                              env=env, capture_output=True, text=True, timeout=300, check=False)
        out[case["id"]] = init if init.returncode else subprocess.run(
            [str(toolchain.tofu), "validate", "-no-color"], cwd=stack, env=env, capture_output=True, text=True,
            timeout=300, check=False)
    return out


@pytest.mark.parametrize("case", REFUSED, ids=[c["id"] for c in REFUSED])
def test_tofu_refuses_what_envgate_refuses(case: dict, validated) -> None:
    """test_cli_bad_input proves envgate's exit 2 with one line for the same case."""
    assert case["exit"] == 2
    result = validated[case["id"]]
    assert result.returncode != 0 and "Error: " in result.stderr, f"tofu accepted {case['id']}:\n{result.stdout}"
