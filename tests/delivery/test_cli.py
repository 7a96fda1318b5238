"""Issue 6: the `envgate` command: one-line errors with exit 2, the results table, check-plan / static on the
engine, and the gate's tier runner (pytest per tier, reports per tier, merged reports)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest
from delivery_data import SECRET, sample_findings
from rich.console import Console

from envgate import cli, report

REPO = Path(__file__).resolve().parents[2]


def envgate(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "envgate.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def plan_json(tmp_path: Path, env: str = "production", retention: int = 3) -> Path:
    """A minimal `tofu show -json` document: one log group whose retention breaks the production contract."""
    doc = {
        "format_version": "1.2",
        "terraform_version": "1.12.6",
        "variables": {"environment": {"value": env}},
        "planned_values": {"root_module": {"resources": [{
            "address": "aws_cloudwatch_log_group.api", "mode": "managed", "type": "aws_cloudwatch_log_group",
            "name": "api", "values": {"name": "/aws/lambda/prod-Api", "retention_in_days": retention,
                                      "tags": {}, "tags_all": {}},
            "sensitive_values": {}}]}},
        "resource_changes": [{"address": "aws_cloudwatch_log_group.api", "mode": "managed",
                              "type": "aws_cloudwatch_log_group", "name": "api",
                              "change": {"actions": ["create"], "after_unknown": {"arn": True}}}],
    }
    path = tmp_path / f"plan-{env}.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize("args, message", [
    (["gate", "--env", "qa"], "--env: unknown environment qa (known: dev, production, staging)"),
    (["gate", "--endpoint", "https://s3.amazonaws.com"], "--endpoint must be a loopback URL"),
    (["gate", "--endpoint", "http://127.0.0.1:5000", "--real-aws"], "--endpoint and --real-aws exclude each other"),
    (["gate", "--real-aws"], "--real-aws: the plan tier cannot run (it plans into the local AWS): pass --tiers "
                             "static,live"),
    (["gate", "--tiers", "static,apply"], "--tiers: a comma-separated subset of static,plan,live"),
    (["check-plan", "missing.json", "--env", "production"], "missing.json"),
    (["check-plan", "x.json"], "the following arguments are required: --env"),
    (["show", "nowhere"], "cannot read findings"),
    ([], "the following arguments are required: command"),
    (["deploy"], "invalid choice: 'deploy'"),
])
def test_bad_input_is_one_line_and_exit_2(args, message, tmp_path):
    proc = envgate(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert message in proc.stderr
    assert proc.stderr.startswith("envgate")
    assert "Traceback" not in proc.stdout + proc.stderr


def test_check_plan_bad_documents(tmp_path):
    not_json = tmp_path / "plan.json"
    not_json.write_text("{ nope")
    other_env = plan_json(tmp_path, env="staging")
    for path, message in ((not_json, "plan.json:1"), (other_env, "this plan is for environment 'staging'")):
        proc = envgate("check-plan", str(path), "--env", "production", cwd=tmp_path)
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_check_plan_reports_a_contract_breach(tmp_path, sarif_schema):
    proc = envgate("check-plan", str(plan_json(tmp_path)), "--env", "production", "--report-dir", "out",
                   cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "production aws_cloudwatch_log_group.api" in proc.stdout
    assert "retention_in_days is 3, contract says 7" in proc.stdout
    assert "envgate verdict: FAIL" in proc.stdout
    out = tmp_path / "out"
    jsonschema.Draft4Validator(sarif_schema).validate(json.loads((out / "envgate.sarif").read_text()))
    doc = json.loads((out / "findings.json").read_text())
    assert {f["gate"] for f in doc["findings"]} == {"plan"}
    assert "| production | EG003 |" in (out / "summary.md").read_text()


def test_static_runs_the_engine_and_writes_reports(tmp_path):
    proc = envgate("static", "--env", "staging", "--report-dir", str(tmp_path / "r"))
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    doc = json.loads((tmp_path / "r" / "findings.json").read_text())
    assert doc["findings"] and {f["env"] for f in doc["findings"]} == {"staging"}
    assert {f["gate"] for f in doc["findings"]} == {"static"}
    assert f"envgate verdict: {doc['verdict']}" in proc.stdout
    assert proc.returncode == (0 if doc["verdict"] == "PASS" else 1)


def test_results_table_counts_and_verdict(tmp_path):
    rep = report.Report(sample_findings(), [], {"passed": 3})
    console = Console(record=True, width=160, color_system=None)
    passed = cli.print_results(console, rep)
    text = console.export_text()
    assert passed is False
    assert "envgate verdict: FAIL" in text
    staging = next(line for line in text.splitlines() if "staging" in line and "EG003" in line)
    assert [c for c in staging.replace("│", " ").split() if c.isdigit()] == ["1", "1", "0", "0"]
    assert "FAIL" in staging
    assert "EG012 [live] production aws_secretsmanager_secret.db" in text and "(sensitive)" in text
    assert SECRET not in text
    assert "findings: 1 pass  3 fail  1 deferred  1 waived" in text
    [deferred] = [f for f in rep.findings if f.outcome.value == "DEFERRED"]
    assert "1 deferred finding(s), each to be settled by a later gate:" in text and deferred.message in text


def test_show_prints_an_existing_report(tmp_path):
    report.write_json(sample_findings(), tmp_path / "findings.json")
    proc = envgate("show", str(tmp_path))
    assert proc.returncode == 1
    assert "EG003" in proc.stdout and "envgate verdict: FAIL" in proc.stdout
    assert SECRET not in proc.stdout


def test_gate_tier_commands():
    live = cli.Tier("live", "live", ["staging", "production"], xdist=True)
    cmd = cli.pytest_command(live, Path("/r"), ["--region=us-east-1", "--endpoint=http://127.0.0.1:5000"])
    assert cmd[:5] == [sys.executable, "-m", "pytest", "-m", "live"]
    assert "--report-dir=/r/live" in cmd and "--junitxml=/r/live/junit.xml" in cmd
    assert "--env=staging,production" in cmd and "--endpoint=http://127.0.0.1:5000" in cmd
    assert cmd[cmd.index("-n") + 1] == "2" and cmd[cmd.index("--dist") + 1] == "loadgroup"
    static = cli.pytest_command(cli.Tier("static", "static", []), Path("/r"), [])
    assert "-n" not in static and not any(a.startswith("--env") for a in static)


def test_run_tier_and_merge_on_a_tiny_suite(tmp_path):
    """The tier runner end to end on a throwaway suite: log, test counts, per-tier and merged reports."""
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    plan: plan tier\n")
    (tmp_path / "test_tiny.py").write_text(textwrap.dedent('''
        import pytest
        from envgate.findings import Finding, Outcome

        @pytest.mark.plan
        def test_plan(envgate_record):
            envgate_record([Finding("EG004", "plan", "dev", "aws_api_gateway_usage_plan.main",
                                   "throttle_settings.burst_limit", 5, 5, Outcome.PASS, "terraform/apigateway.tf", 40)])

        def test_not_selected():
            raise AssertionError("deselected by -m plan")
    '''))
    console = Console(record=True, width=140, color_system=None)
    tier = cli.run_tier(cli.Tier("plan", "plan", []), tmp_path / "reports", [], console, tmp_path)
    assert tier.ok and tier.status == "passed", (tier.log.read_text() if tier.log else "")
    assert tier.tests == {"passed": 1}
    shown = console.export_text()
    assert "plan gate: pytest -m plan" in shown and "passed: 1 passed" in shown
    merged = cli.merge_tiers([tier], tmp_path / "reports")
    assert [f.rule_id for f in merged.findings] == ["EG004"]
    for name in ("findings.json", "envgate.sarif", "summary.md"):
        assert (tmp_path / "reports" / name).is_file() and (tmp_path / "reports" / "plan" / name).is_file()
    assert (tmp_path / "reports" / "plan" / "junit.xml").is_file()


def test_run_tier_reports_no_tests_as_a_failure(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    live: live tier\n")
    (tmp_path / "test_none.py").write_text("def test_other():\n    pass\n")
    console = Console(record=True, width=140, color_system=None)
    tier = cli.run_tier(cli.Tier("live", "live", []), tmp_path / "reports", [], console, tmp_path)
    assert not tier.ok and tier.status == "no tests"
    assert "no tests" in console.export_text()


def test_contract_migrate_rewrites_version_1_in_place(tmp_path):
    v1 = Path(__file__).parents[1] / "unit" / "data" / "contract-v1.yaml"
    path = tmp_path / "contract.yaml"
    path.write_text(v1.read_text())
    proc = envgate("contract", "migrate", str(path), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "contract.yaml.v1").read_text() == v1.read_text()
    from envgate.contract import load_contract

    assert load_contract(path).version == 2
    again = envgate("contract", "migrate", str(path), cwd=tmp_path)
    assert again.returncode == 2 and again.stderr.strip().endswith("not a version 1 contract (version: 2)")
