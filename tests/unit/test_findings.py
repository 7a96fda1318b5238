"""The one message format, and sensitive values never leaving a Finding."""

from __future__ import annotations

import pytest

from envgate.findings import MISSING, Finding, Outcome, Raw, render, same


def _finding(**overrides) -> Finding:
    base = dict(rule_id="EG003", gate="plan", env="production", address="aws_cloudwatch_log_group.Fn",
                attribute="retention_in_days", actual=3, expected=7, outcome=Outcome.FAIL,
                file="terraform/logs.tf", line=12)
    return Finding(**{**base, **overrides})


def test_message_format() -> None:
    assert _finding().message == ("production aws_cloudwatch_log_group.Fn (terraform/logs.tf:12): "
                                  "retention_in_days is 3, contract says 7")


def test_unknown_location() -> None:
    assert _finding(file=None, line=None).message == (
        "production aws_cloudwatch_log_group.Fn (unknown location): retention_in_days is 3, contract says 7")


def test_deferred_message() -> None:
    assert _finding(outcome=Outcome.DEFERRED, actual=MISSING).message == (
        "production aws_cloudwatch_log_group.Fn (terraform/logs.tf:12): retention_in_days is known only after "
        "apply, deferred to the live gate")


def test_sensitive_value_never_rendered() -> None:
    finding = _finding(attribute="environment[0].variables.TOKEN", actual="stag-secret-value", sensitive=True)
    for text in (finding.message, repr(finding), str(finding), str(finding.to_dict())):
        assert "stag-secret-value" not in text
    assert "TOKEN is (sensitive), contract says" in finding.message


@pytest.mark.parametrize(("value", "shown"), [
    ("stag-Queue", '"stag-Queue"'), (True, "true"), (None, "null"), (50.0, "50"), (2.5, "2.5"),
    (MISSING, "(missing)"), (Raw("var.log_level"), "var.log_level"), (["a"], '["a"]'),
])
def test_render(value, shown) -> None:
    assert render(value) == shown


def test_same_keeps_booleans_apart_from_numbers() -> None:
    assert same(50, 50.0)
    assert not same(True, 1)
    assert not same(0, False)
    assert same(False, False)
