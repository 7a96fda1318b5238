"""engine.promote on synthetic records and plans: what passes, and each way it refuses."""

from __future__ import annotations

import pytest

from envgate import engine
from envgate.contract import load_contract
from envgate.errors import EnvgateError
from envgate.findings import Finding, Outcome, Raw, render
from envgate.resource import Resource

H1, H2 = "Xz0tb3YQbUUqkzv5YQ0bUCOJZHbSfNyL8oT3MeqrlEs=", "AAAAb3YQbUUqkzv5YQ0bUCOJZHbSfNyL8oT3MeqrlEs="
LAYER = "arn:aws:lambda:us-east-1:123456789012:layer:{}-deps:3"


def recorded(attribute: str, value, outcome: Outcome = Outcome.PASS, rule: str = "EG017",
             address: str = "aws_lambda_function.Fn") -> Finding:
    # As read back from a findings.json: values rendered.
    return Finding(rule_id=rule, gate="live", env="staging", address=address, attribute=attribute,
                   actual=Raw(render(value)), expected=Raw("x"), outcome=outcome)


def planned(**values) -> list[Resource]:
    return [Resource(type="aws_lambda_function", address="aws_lambda_function.Fn", env="production", values=values,
                     unknown=frozenset(values.pop("unknown", ())))]


def promote(record, resources):
    return engine.promote(record, "staging", resources, "production", load_contract(), "reports/live-staging")


RECORD = [recorded("code_sha256", H1), recorded("layers", [LAYER.format("stag")])]


def test_the_same_package_and_layers_pass():
    found = promote(RECORD, planned(source_code_hash=H1, layers=[LAYER.format("prod")]))
    assert [(f.attribute, f.outcome) for f in found] == [("code_sha256", Outcome.PASS), ("layers", Outcome.PASS)]


def test_another_package_fails_with_both_hashes():
    [code, _] = promote(RECORD, planned(source_code_hash=H2, layers=[LAYER.format("prod")]))
    assert code.outcome is Outcome.FAIL
    assert code.message == (f'production aws_lambda_function.Fn (unknown location): code_sha256 is "{H2}", contract '
                            f'says "{H1}", what staging runs (reports/live-staging)')


def test_a_hash_the_plan_does_not_know_is_a_fail():
    [code, _] = promote(RECORD, planned(unknown=["code_sha256"], layers=[]))
    assert code.outcome is Outcome.FAIL and "code_sha256 is not known from the plan" in code.message


def test_a_function_the_earlier_gate_did_not_see_is_a_fail():
    found = promote([recorded("code_sha256", H1, address="aws_lambda_function.Other")], planned(source_code_hash=H1))
    assert {f.outcome for f in found} == {Outcome.FAIL}
    assert "what staging runs, but its live gate saw no such function" in found[0].message


def test_nothing_is_promoted_from_a_failed_live_gate():
    [refused] = promote(RECORD + [recorded("retention_in_days", 30, Outcome.FAIL, "EG003")], planned(source_code_hash=H1))
    assert refused.outcome is Outcome.FAIL and refused.message.startswith(
        "production staging (unknown location): live gate is FAIL (1 FAIL, 0 failed tests; first: EG003 staging "
        "aws_lambda_function.Fn")
    [refused] = engine.promote(RECORD, "staging", planned(source_code_hash=H1), "production", load_contract(), "r", 2)
    assert refused.outcome is Outcome.FAIL and "(0 FAIL, 2 failed tests; its report counts failed tests)" in refused.message


def test_no_live_gate_of_the_source_is_one_line():
    with pytest.raises(EnvgateError, match=r"^reports/live-staging: no live gate of staging in it: run the live gate"):
        promote([], planned(source_code_hash=H1))
