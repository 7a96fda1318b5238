"""`envgate drift`: a retention changed and a tag removed by hand after the deploy, each one precise finding."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from envgate import deploy, stack

pytestmark = [pytest.mark.live, pytest.mark.slow, pytest.mark.local_aws]


def drift(repo_root, endpoint: str, report) -> tuple[subprocess.CompletedProcess, list[dict]]:
    proc = subprocess.run([sys.executable, "-m", "envgate.cli", "drift", "staging", "--endpoint", endpoint,
                           "--report-dir", str(report)], cwd=repo_root, capture_output=True, text=True, timeout=600,
                          check=False)
    findings = json.loads((report / "findings.json").read_text())["findings"] if (report / "findings.json").is_file() else []
    return proc, findings


def test_changes_made_outside_tofu_are_found(repo_root, toolchain, aws_target, shared, tmp_path):
    with deploy.private_moto(shared, tmp_path / "moto.log", aws_target.region) as target:
        stack.prepare(repo_root, "staging", toolchain, target, tmp_path / "work").apply()
        proc, findings = drift(repo_root, target.endpoint, tmp_path / "clean")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert [(f["outcome"], f["address"]) for f in findings] == [("PASS", "state")]

        target.client("logs").put_retention_policy(logGroupName="/aws/lambda/stag-RegisterUser", retentionInDays=30)
        sqs = target.client("sqs")
        sqs.untag_queue(QueueUrl=sqs.get_queue_url(QueueName="stag-DownloadQueue")["QueueUrl"], TagKeys=["Name"])
        proc, findings = drift(repo_root, target.endpoint, tmp_path / "drifted")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert sorted(f["message"] for f in findings) == [
        'staging aws_cloudwatch_log_group.RegisterUser (terraform/logs.tf:1): retention_in_days is 30, contract says '
        '3, as in the state (changed outside tofu)',
        'staging aws_sqs_queue.DownloadQueue (terraform/sqs.tf:41): tags.Name is (missing), contract says '
        '"stag-DownloadQueue", as in the state (changed outside tofu)',
    ], proc.stdout
