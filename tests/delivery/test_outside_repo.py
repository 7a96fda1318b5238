"""A repository envgate was not written for, gated through the installed plugin from its contract alone.

The example stack (examples/audio-pipeline: dev/staging/prod, per-environment backend files, names
`{project}-{env}-{name}`) is copied to a temporary directory with no tests and no conftest of its own; plain
`pytest -m static` there collects policies/contract.yaml as the gate's items.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from delivery_data import outside_env

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "audio-pipeline"


def gate(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args], cwd=repo,
                          env=outside_env(), capture_output=True, text=True, timeout=900, check=False)


def envgate(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "envgate.cli", *args], cwd=repo, env=outside_env(),
                          capture_output=True, text=True, timeout=900, check=False)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    repo = tmp_path / "audio-pipeline"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    assert not list(repo.rglob("conftest.py")) and not list(repo.rglob("test_*.py"))
    return repo


def test_static_tier_of_an_outside_repository(outside: Path) -> None:
    proc = gate(outside, "-m", "static", "--collect-only")
    assert [line for line in proc.stdout.splitlines() if "::" in line] == [
        f"policies/contract.yaml::static[{env}]" for env in ("dev", "staging", "prod")], proc.stdout + proc.stderr
    proc = gate(outside, "-m", "static")
    assert proc.returncode == 0 and "3 passed" in proc.stdout, proc.stdout + proc.stderr


def test_a_sizing_row_broken_in_one_environment_fails_there_and_in_its_mirror(outside: Path) -> None:
    tfvars = outside / "environments" / "prod" / "terraform.tfvars"
    text = tfvars.read_text()
    assert text.count("lambda_memory_mb            = 1024") == 1
    tfvars.write_text(text.replace("lambda_memory_mb            = 1024", "lambda_memory_mb            = 512"))
    proc = gate(outside, "-m", "static")
    assert proc.returncode == 1 and "2 failed, 1 passed" in proc.stdout, proc.stdout + proc.stderr
    assert 'EG014 prod module.service["api"].aws_lambda_function.this (terraform/main.tf:1): memory_size is 512, ' \
           'contract says 1024' in proc.stdout
    # staging mirrors prod: its now different memory is a parity finding there, dev is left alone
    assert 'EG015 staging module.service["api"].aws_lambda_function.this (terraform/main.tf:1): memory_size is ' \
           '1024, contract says 512 as in prod (parity)' in proc.stdout
    assert "FAILED policies/contract.yaml::static[dev]" not in proc.stdout


@pytest.mark.slow
@pytest.mark.local_aws
def test_plan_and_live_tiers_of_an_outside_repository(outside: Path, aws_target) -> None:
    endpoint = f"--endpoint={aws_target.endpoint}"
    proc = gate(outside, "-m", "plan or live", "-n", "2", "--dist", "loadgroup", endpoint, "--report-dir=reports")
    assert proc.returncode == 0 and "6 passed" in proc.stdout, proc.stdout[-3000:] + proc.stderr[-2000:]
    findings = json.loads((outside / "reports" / "findings.json").read_text())["findings"]
    by_gate = {(f["gate"], f["env"]) for f in findings}
    assert by_gate == {(g, e) for g in ("plan", "live") for e in ("dev", "staging", "prod")}
    assert not [f for f in findings if f["outcome"] == "FAIL"]
    for env in ("dev", "staging", "prod"):  # no false orphans in a layout of backend files, and code recorded
        assert {f["rule_id"] for f in findings if f["env"] == env and f["gate"] == "live"} >= {"EG016", "EG017"}

    # prod's plan deploys the package staging's live gate recorded; nothing drifted yet.
    proc = envgate(outside, "promote", "staging", "prod", endpoint, "--from-report=reports")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert envgate(outside, "drift", "staging", endpoint).returncode == 0

    # Changed by hand after the deploy: only the live gate can see it, and only in staging.
    aws_target.client("logs").put_retention_policy(logGroupName="/ecs/staging/worker", retentionInDays=1)
    proc = gate(outside, "-m", "live", "--probe-only", endpoint)
    assert proc.returncode == 1 and "1 failed, 2 passed" in proc.stdout, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert 'EG003 staging aws_cloudwatch_log_group.ecs["worker"] (terraform/logs.tf:3): retention_in_days is 1, ' \
           'contract says 14' in proc.stdout
    proc = envgate(outside, "drift", "staging", endpoint, "--report-dir=drift")
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert [f["message"] for f in json.loads((outside / "drift" / "findings.json").read_text())["findings"]] == [
        'staging aws_cloudwatch_log_group.ecs["worker"] (terraform/logs.tf:3): retention_in_days is 1, contract says '
        '14, as in the state (changed outside tofu)']
    assert gate(outside, "-m", "static").returncode == 0


@pytest.mark.slow
@pytest.mark.local_aws
def test_a_value_only_the_plan_knows_is_deferred_at_static_and_failed_at_plan(outside: Path, aws_target) -> None:
    main = outside / "terraform" / "main.tf"
    text = main.read_text()
    assert text.count("lambda_timeout_s            = var.lambda_timeout_s\n") == 1
    main.write_text(text.replace(
        "lambda_timeout_s            = var.lambda_timeout_s\n",
        "lambda_timeout_s            = min(var.lambda_timeout_s * length(data.aws_availability_zones.here.names), 900)\n")
        + '\ndata "aws_availability_zones" "here" {}\n')
    proc = gate(outside, "-m", "static", "--env", "staging", "--report-dir=static")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    deferred = [f["message"] for f in json.loads((outside / "static" / "findings.json").read_text())["findings"]
                if f["outcome"] == "DEFERRED"]
    assert 'staging module.service["api"].aws_lambda_function.this (terraform/main.tf:1): timeout is not known from ' \
           'the configuration' in "\n".join(deferred), deferred
    proc = gate(outside, "-m", "plan", "--env", "staging", f"--endpoint={aws_target.endpoint}")
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert re.search(r'EG014 staging module\.service\["api"\]\.aws_lambda_function\.this \(terraform/main\.tf:1\): '
                     r"timeout is \d+, contract says 120", proc.stdout), proc.stdout
