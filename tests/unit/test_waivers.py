"""Waivers turn FAILs into WAIVED; expired or unused waivers fail the run; bad waiver files are clean errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from envgate.contract import load_contract
from envgate.engine import evaluate
from envgate.errors import EnvgateError
from envgate.findings import Outcome
from envgate.registry import load_rules
from envgate.resource import Resource
from envgate.waivers import apply_waivers, load_waivers

TODAY = dt.date(2025, 6, 1)
SHORT_RETENTION = [Resource(type="aws_cloudwatch_log_group", address="aws_cloudwatch_log_group.Legacy[0]",
                            env="staging", values={"retention_in_days": 1})]


def _waivers(tmp_path: Path, body: str):
    path = tmp_path / "waivers.yaml"
    path.write_text(body)
    return load_waivers(path, load_rules(), load_contract())


def _waiver(expires: str = "2025-12-31", address: str = "aws_cloudwatch_log_group.Legacy", rule: str = "EG003") -> str:
    return f"""waivers:
  - rule: {rule}
    env: staging
    address: {address}
    owner: platform@example.com
    reason: legacy group, migrating in TICKET-1
    expires: {expires}
"""


def _run(waivers) -> list:
    findings = evaluate(SHORT_RETENTION, "staging", "plan", only=["EG003"])
    return apply_waivers(findings, waivers, "plan", [("EG003", "staging")], today=TODAY)


def test_matching_waiver_turns_fail_into_waived(tmp_path: Path) -> None:
    findings = _run(_waivers(tmp_path, _waiver()))
    assert [f.outcome for f in findings] == [Outcome.WAIVED]
    assert findings[0].waiver == "platform@example.com: legacy group, migrating in TICKET-1"


def test_expired_waiver_is_a_failure_and_waives_nothing(tmp_path: Path) -> None:
    findings = _run(_waivers(tmp_path, _waiver(expires="2025-05-31")))
    assert [(f.rule_id, f.outcome) for f in findings] == [("EG003", Outcome.FAIL), ("WAIVER", Outcome.FAIL)]
    assert findings[1].message.endswith("waivers.yaml:2): expires is \"2025-05-31\", contract says a date not "
                                        "before 2025-06-01 (renew or remove the waiver)")


def test_unused_waiver_is_a_failure(tmp_path: Path) -> None:
    findings = _run(_waivers(tmp_path, _waiver(address="aws_cloudwatch_log_group.Other")))
    waiver = [f for f in findings if f.rule_id == "WAIVER"]
    assert len(waiver) == 1 and waiver[0].outcome is Outcome.FAIL
    assert "waiver is unused, contract says it matches a FAIL of EG003 (remove it)" in waiver[0].message


def test_waiver_out_of_scope_is_not_judged(tmp_path: Path) -> None:
    waivers = _waivers(tmp_path, _waiver())
    findings = apply_waivers([], waivers, "plan", [("EG001", "staging")], today=TODAY)
    assert findings == []


def test_unknown_rule_id_in_waiver_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(EnvgateError, match=r"waivers\.yaml:2: waivers\.0\.rule: unknown rule id EG077"):
        _waivers(tmp_path, _waiver(rule="EG077"))


def test_schema_error_in_waiver_names_file_and_field(tmp_path: Path) -> None:
    with pytest.raises(EnvgateError, match=r"waivers\.yaml: waivers\.0\.expires: Input should be a valid date"):
        _waivers(tmp_path, _waiver(expires="someday"))


def test_broken_waiver_yaml(tmp_path: Path) -> None:
    with pytest.raises(EnvgateError, match=r"waivers\.yaml:\d+: YAML error: "):
        _waivers(tmp_path, "waivers:\n  - rule: [EG003\n")


def test_repository_waivers_file_is_valid() -> None:
    load_waivers(None, load_rules(), load_contract())
