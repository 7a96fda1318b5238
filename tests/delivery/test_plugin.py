"""Issue 6: the pytest plugin writes findings.json, envgate.sarif and summary.md (merged across xdist
workers), pytest's --junitxml parses, and a sensitive value reaches none of them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
from delivery_data import SECRET

TESTS = textwrap.dedent('''
    import os

    import pytest

    from envgate.findings import Finding, Outcome

    def finding(env, outcome, actual=3, sensitive=False):
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        return Finding("EG003", "plan", env, f"aws_cloudwatch_log_group.{worker}_{env}", "retention_in_days",
                       actual, 3, outcome, "terraform/logs.tf", 12, sensitive=sensitive)

    @pytest.mark.parametrize("env", ["staging", "production", "dev", "qa", "uat", "perf"])
    def test_records_a_pass(env, envgate_record):
        envgate_record([finding(env, Outcome.PASS)])

    def test_sensitive_failure(envgate_record):
        # From the environment, not a literal: a traceback shows the test's source lines.
        bad = finding("production", Outcome.FAIL, actual=os.environ["ENVGATE_TEST_SECRET"], sensitive=True)
        envgate_record([bad])
        assert not bad, bad.message

    def test_engine_self_test():
        finding("staging", Outcome.FAIL, actual=99)  # evaluated, not recorded: not the stack's

    def test_record_refuses_what_is_not_a_finding(envgate_record):
        with pytest.raises(Exception, match="expected Finding objects, got str"):
            envgate_record(["not a finding"])
''')


def clean_env() -> dict[str, str]:
    """The environment without what an enclosing pytest-xdist worker sets (the inner run is its own)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_XDIST_", "PYTEST_CURRENT_TEST"))}


def run_pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # pins the rootdir: nothing from the repo is loaded
    (tmp_path / "test_gate.py").write_text(TESTS)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                           "test_gate.py", *args], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**clean_env(), "ENVGATE_TEST_SECRET": SECRET})


def check_reports(out: Path, sarif_schema: dict, expect_workers: set[str]) -> dict:
    assert sorted(p.name for p in out.iterdir()) == ["envgate.sarif", "findings.json", "junit.xml", "summary.md"], \
        "worker files are merged, then removed"
    doc = json.loads((out / "findings.json").read_text())
    outcomes = sorted((f["env"], f["outcome"]) for f in doc["findings"])
    assert outcomes == sorted([(e, "PASS") for e in ("staging", "production", "dev", "qa", "uat", "perf")]
                              + [("production", "FAIL")]), "only recorded findings are reported"
    workers = {f["address"].split(".")[1].split("_")[0] for f in doc["findings"]}
    assert workers == expect_workers
    assert doc["tests"] == {"passed": 8, "failed": 1}
    assert doc["verdict"] == "FAIL"
    assert all(f["test"] and f["test"].startswith("test_gate.py::") for f in doc["findings"])

    sarif = json.loads((out / "envgate.sarif").read_text())
    jsonschema.Draft4Validator(sarif_schema).validate(sarif)
    [result] = sarif["runs"][0]["results"]
    assert result["level"] == "error" and "retention_in_days is (sensitive)" in result["message"]["text"]

    summary = (out / "summary.md").read_text()
    assert "| production | EG003 |" in summary and "❌ FAIL" in summary

    junit = ET.parse(out / "junit.xml").getroot()
    suite = junit if junit.tag == "testsuite" else junit.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("9", "1", "0")
    [failed] = [case for case in suite.iter("testcase") if case.find("failure") is not None]
    assert failed.get("name") == "test_sensitive_failure"
    assert "(sensitive)" in failed.find("failure").get("message")

    for path in out.iterdir():
        assert SECRET not in path.read_text(), f"{path.name} carries the sensitive value"
    return doc


def test_xdist_workers_are_merged_by_the_controller(tmp_path, sarif_schema):
    out = tmp_path / "reports"
    (out).mkdir()
    (out / "findings-gw7.json").write_text("stale from an earlier run")
    proc = run_pytest(tmp_path, "-n", "2", "--dist", "load", f"--report-dir={out}", f"--junitxml={out / 'junit.xml'}")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "envgate: 7 findings (6 pass, 1 fail, 0 deferred, 0 waived)" in proc.stdout
    check_reports(out, sarif_schema, {"gw0", "gw1"})
    assert SECRET not in proc.stdout + proc.stderr


def test_without_xdist(tmp_path, sarif_schema):
    out = tmp_path / "out"
    proc = run_pytest(tmp_path, "--report-dir=out", "--junitxml=out/junit.xml")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    check_reports(out, sarif_schema, {"main"})


def test_no_report_dir_writes_nothing(tmp_path):
    proc = run_pytest(tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "envgate:" not in proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith((".", "__"))) == \
        ["pytest.ini", "test_gate.py"]


def test_junit_from_the_repo_suite_parses(tmp_path):
    """The JUnit the CI keeps (.ci/run passes --junitxml) is pytest's own: parse one made on this repo."""
    repo = Path(__file__).resolve().parents[2]
    junit = tmp_path / "junit.xml"
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                           "tests/delivery/test_report.py", f"--junitxml={junit}"],
                          cwd=repo, capture_output=True, text=True, timeout=120, env=clean_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    root = ET.parse(junit).getroot()
    cases = list(root.iter("testcase"))
    assert cases and all(c.get("classname", "").startswith("tests.delivery.test_report") for c in cases)
