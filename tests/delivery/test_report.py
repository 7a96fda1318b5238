"""Issue 6: the findings sink and the report writers (SARIF 2.1.0, Markdown job summary, findings.json)."""

from __future__ import annotations

import json

import jsonschema
import pytest

from envgate import report
from envgate.errors import EnvgateError
from envgate.findings import MISSING, Finding, Outcome, Raw
from envgate.registry import load_rules

from delivery_data import SECRET, sample_findings


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def sarif_of(findings, rules, tmp_path) -> dict:
    path = report.write_sarif(findings, rules, tmp_path / "envgate.sarif")
    return json.loads(path.read_text())


def test_sarif_validates_against_the_official_schema(findings, rules, sarif_schema, tmp_path):
    log = sarif_of(findings, rules, tmp_path)
    validator = jsonschema.Draft4Validator(sarif_schema, format_checker=jsonschema.FormatChecker())
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []
    assert log["version"] == "2.1.0"


def test_sarif_of_no_findings_still_validates(rules, sarif_schema, tmp_path):
    log = sarif_of([], rules, tmp_path)
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    assert log["runs"][0]["results"] == []


def test_sarif_rules_carry_the_catalogue_metadata(findings, rules, tmp_path):
    driver = sarif_of(findings, rules, tmp_path)["runs"][0]["tool"]["driver"]
    by_id = {r["id"]: r for r in driver["rules"]}
    assert set(rules.ids) <= set(by_id), "one SARIF rule per catalogue rule"
    assert len(by_id) == len(driver["rules"]), "rule ids are unique"
    for meta in rules.rules:
        rule = by_id[meta.id]
        assert rule["shortDescription"]["text"] == meta.title
        assert rule["help"]["text"] == meta.remediation
        assert rule["properties"]["severity"] == meta.severity
        assert rule["properties"]["rationale"] == meta.rationale
    assert by_id["WAIVER"]["help"]["text"].startswith("Renew the waiver")


def test_sarif_results_levels_suppressions_and_locations(findings, rules, tmp_path):
    run = sarif_of(findings, rules, tmp_path)["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    results = {(r["ruleId"], r["properties"]["outcome"]): r for r in run["results"]}
    assert "PASS" not in {outcome for _, outcome in results}, "passing checks are not results"
    fail = results["EG003", "FAIL"]
    assert fail["level"] == "error"
    assert rule_ids[fail["ruleIndex"]] == "EG003"
    location = fail["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "terraform/logs.tf"
    assert location["region"]["startLine"] == 12
    assert "staging aws_cloudwatch_log_group.api (terraform/logs.tf:12): retention_in_days is 7, contract says 3" \
        in fail["message"]["text"]
    assert results["EG005", "DEFERRED"]["level"] == "note"
    waived = results["EG001", "WAIVED"]
    assert waived["suppressions"] == [{"kind": "external", "status": "accepted",
                                       "justification": "alice: legacy queue, renamed in Q3"}]
    # A live finding has no HCL location: it points at the environment's tfvars so code scanning accepts it.
    live = results["EG012", "FAIL"]["locations"][0]["physicalLocation"]
    assert live["artifactLocation"]["uri"] == "environments/production.tfvars"
    assert "region" not in live
    for result in run["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith("/"), "URIs are relative to the repository root"
        assert result["partialFingerprints"]["envgateFinding/v1"]


def test_sarif_makes_absolute_paths_repo_relative(rules, tmp_path):
    from envgate.paths import repo_root

    f = Finding("EG003", "static", "dev", "aws_cloudwatch_log_group.api", "retention_in_days", 3, 1, Outcome.FAIL,
                str(repo_root() / "terraform" / "logs.tf"), 9)
    uri = sarif_of([f], rules, tmp_path)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert uri["artifactLocation"]["uri"] == "terraform/logs.tf"


def test_markdown_has_the_environment_by_rule_table_and_the_failures(findings, rules, tmp_path):
    text = report.write_markdown(findings, tmp_path / "summary.md", rules=rules, tests={"passed": 5}).read_text()
    assert text.startswith("## ❌ envgate: FAIL")
    assert "| Environment | Rule | Title | Pass | Fail | Deferred | Waived | Verdict |" in text
    assert "| staging | EG003 | Log retention matches the contract | 1 | 1 | 0 | 0 | ❌ FAIL |" in text
    assert "| production | EG005 | Data store deletion protection matches the contract | 0 | 0 | 1 | 0 | ✅ PASS |" in text
    assert "| dev | EG001 |" in text and "| 0 | 0 | 0 | 1 | ✅ PASS |" in text
    assert "### Failures (3)" in text
    assert "`staging aws_cloudwatch_log_group.api (terraform/logs.tf:12): retention_in_days is 7, contract says 3`" in text
    assert "### Waived (1)" in text and "alice: legacy queue" in text
    assert "Tests: 5 passed." in text
    # A value with a pipe cannot break the table or the list.
    assert 'name is "jobs|legacy"' in text


def test_markdown_all_pass(rules, tmp_path):
    ok = [f for f in sample_findings() if f.outcome is Outcome.PASS]
    text = report.markdown(ok, rules=rules)
    assert text.startswith("## ✅ envgate: PASS")
    assert "### Failures" not in text
    assert report.markdown([], rules=rules).count("No findings were recorded") == 1


def test_markdown_caps_long_failure_lists(rules):
    many = [Finding("EG001", "plan", "staging", f"aws_sqs_queue.q{i}", "name", "x", "stag-", Outcome.FAIL,
                    "terraform/sqs.tf", i + 1) for i in range(report.MAX_LISTED + 7)]
    text = report.markdown(many, rules=rules)
    assert f"… and 7 more (see findings.json)" in text


def test_json_round_trip_keeps_messages_and_attribution(findings, tmp_path):
    # A DEFERRED without a reason comes back without one (not as the text "(missing)").
    findings = findings + [Finding(rule_id="EG008", gate="plan", env="staging", address="aws_sqs_queue.q",
                                   attribute="policy", actual=MISSING, expected=Raw("x"), outcome=Outcome.DEFERRED)]
    path = report.write_json(findings, tmp_path / "findings.json", tests={"passed": 2, "failed": 1},
                             attribution=["tests/plan/test_x.py::test_a"] * len(findings))
    doc = json.loads(path.read_text())
    assert doc["format"] == report.FORMAT
    assert doc["verdict"] == "FAIL"
    assert doc["counts"] == {"PASS": 1, "FAIL": 3, "DEFERRED": 2, "WAIVED": 1}
    back = report.read_json(path)
    assert [f.message for f in back.findings] == [f.message for f in findings]
    assert [f.outcome for f in back.findings] == [f.outcome for f in findings]
    assert back.nodeids[0] == "tests/plan/test_x.py::test_a"
    assert back.tests == {"passed": 2, "failed": 1}
    assert back.verdict == "FAIL"


def test_sensitive_value_is_in_no_report(findings, rules, tmp_path):
    written = report.write_report(report.Report(findings, [], {}), tmp_path, rules=rules)
    assert set(written) == {"json", "sarif", "markdown"}
    for path in written.values():
        text = path.read_text()
        assert SECRET not in text, path.name
        assert "(sensitive)" in text, path.name


def test_read_json_rejects_other_files_in_one_line(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"runs": []}')
    with pytest.raises(EnvgateError, match=r"x\.json: not an envgate findings file"):
        report.read_json(bad)
    bad.write_text("{")
    with pytest.raises(EnvgateError, match=r"x\.json:1: not valid JSON"):
        report.read_json(bad)
    with pytest.raises(EnvgateError, match="cannot read findings"):
        report.read_json(tmp_path / "missing.json")


def test_merge_deduplicates_and_adds_test_counts(findings):
    a = report.Report(findings[:3], ["a"] * 3, {"passed": 2})
    b = report.Report(findings[1:], ["b"] * 5, {"passed": 1, "failed": 1})
    merged = report.merge([a, b])
    assert len(merged.findings) == len(findings)
    assert merged.nodeids[:4] == ["a", "a", "a", "b"]
    assert merged.tests == {"passed": 3, "failed": 1}
