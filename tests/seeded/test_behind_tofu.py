"""What happens behind tofu's back, on one staging deployment in a private moto: drift (`envgate drift`), orphans
(EG016 at the live gate) and promotion (`envgate promote`), each seeded case one precise finding."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from envgate import deploy, engine, live, report, stack
from envgate.contract import load_contract
from envgate.findings import Outcome

pytestmark = [pytest.mark.selftest, pytest.mark.slow, pytest.mark.local_aws, pytest.mark.xdist_group("behind-tofu")]


@pytest.fixture(scope="module")
def world(repo_root, toolchain, aws_target, shared, tmp_path_factory):
    """(target, staging's clean live findings, the directory of its live gate report): staging deployed once."""
    base = tmp_path_factory.mktemp("behind-tofu")
    with deploy.private_moto(shared, base / "moto.log", aws_target.region) as target:
        stack.prepare(repo_root, "staging", toolchain, target, base / "work").apply()
        findings = live_gate(target, "staging", repo_root)
        report.write_report(report.Report(findings, [], {}), base / "live-staging")
        yield target, findings, base / "live-staging"


def live_gate(target, env: str, root: Path) -> list:
    return engine.evaluate(live.probe(target, env, root=root).resources, env, "live")


def envgate(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "envgate.cli", *args], cwd=root, capture_output=True, text=True,
                          timeout=600, check=False)


def findings_of(directory: Path) -> list[dict]:
    path = directory / "findings.json"
    return json.loads(path.read_text())["findings"] if path.is_file() else []


def fails(findings) -> list[str]:
    return sorted(f"{f.rule_id} {f.message}" for f in findings if f.outcome is Outcome.FAIL)


def test_a_clean_deployment_passes_the_live_gate_with_no_orphans(world):
    _, clean, _ = world
    assert fails(clean) == []
    assert [f for f in clean if f.rule_id == "EG016" and f.outcome is Outcome.PASS], "EG016 judged nothing"


def test_a_queue_made_by_hand_is_an_orphan_of_the_environment_whose_name_it_has(world, repo_root):
    target, clean, _ = world
    sqs = target.client("sqs")
    tags = load_contract().tags_of("staging")
    sqs.create_queue(QueueName="stag-LeftoverQueue", tags=tags)
    sqs.create_queue(QueueName="prod-LeftoverQueue", tags=load_contract().tags_of("production"))
    try:
        staging = live_gate(target, "staging", repo_root)
        production = live_gate(target, "production", repo_root)
    finally:
        for name in ("stag-LeftoverQueue", "prod-LeftoverQueue"):
            sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"])
    orphan = ('EG016 {env} aws_sqs_queue["{name}"] (unknown location): managed_by is no state (found by '
              "sqs:ListQueues, in no environment's state), contract says in the state of {env}")
    assert sorted(set(fails(staging)) - set(fails(clean))) == [orphan.format(env="staging", name="stag-LeftoverQueue")]
    assert orphan.format(env="production", name="prod-LeftoverQueue") in fails(production)


def test_production_is_promoted_only_with_the_code_staging_runs(world, repo_root, tmp_path):
    target, clean, record = world
    proc = envgate(repo_root, "promote", "staging", "production", "--endpoint", target.endpoint,
                   "--from-report", str(record), "--report-dir", str(tmp_path / "same"))
    same = findings_of(tmp_path / "same" / "promote-production")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    code = sorted(f["address"] for f in same if f["attribute"] == "code_sha256" and f["outcome"] == "PASS")
    assert len(code) == 4 and {f["outcome"] for f in same} == {"PASS"}, same

    # The same stack, one byte different in the package: production would deploy code staging never ran.
    copy = tmp_path / "repo"
    for name in ("terraform", "environments", "policies"):
        shutil.copytree(repo_root / name, copy / name, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
    with zipfile.ZipFile(copy / "terraform" / "lambda" / "handler.zip", "a") as package:
        package.writestr("CHANGED", "not what staging tested")
    proc = envgate(copy, "promote", "staging", "production", "--endpoint", target.endpoint,
                   "--from-report", str(record), "--report-dir", str(tmp_path / "other"))
    other = findings_of(tmp_path / "other" / "promote-production")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    ran = {f.address: f.actual for f in clean if f.rule_id == "EG017" and f.attribute == "code_sha256"}
    failed = [f for f in other if f["outcome"] == "FAIL"]
    assert sorted(f["address"] for f in failed) == code
    for f in failed:
        assert f["attribute"] == "code_sha256" and f["actual"] != f["expected"].split(",")[0], f
        assert f["message"].endswith(f'contract says "{ran[f["address"]]}", what staging runs ({record})'), f
    assert "promote" in proc.stdout and str(len(failed)) in proc.stdout


def test_changes_made_outside_tofu_are_found(world, repo_root, tmp_path):
    target, _, _ = world
    proc = envgate(repo_root, "drift", "staging", "--endpoint", target.endpoint, "--report-dir", str(tmp_path / "clean"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [(f["outcome"], f["address"]) for f in findings_of(tmp_path / "clean")] == [("PASS", "state")]

    logs, sqs = target.client("logs"), target.client("sqs")
    logs.put_retention_policy(logGroupName="/aws/lambda/stag-RegisterUser", retentionInDays=30)
    sqs.untag_queue(QueueUrl=sqs.get_queue_url(QueueName="stag-DownloadQueue")["QueueUrl"], TagKeys=["Name"])
    proc = envgate(repo_root, "drift", "staging", "--endpoint", target.endpoint, "--report-dir", str(tmp_path / "drifted"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert sorted(f["message"] for f in findings_of(tmp_path / "drifted")) == [
        'staging aws_cloudwatch_log_group.RegisterUser (terraform/logs.tf:1): retention_in_days is 30, contract says '
        '3, as in the state (changed outside tofu)',
        'staging aws_sqs_queue.DownloadQueue (terraform/sqs.tf:41): tags.Name is (missing), contract says '
        '"stag-DownloadQueue", as in the state (changed outside tofu)',
    ], proc.stdout
