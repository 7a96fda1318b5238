"""Engine behaviour beyond the rule fixtures: gates, unknown values, environments, locations."""

from __future__ import annotations

from pathlib import Path

import pytest

from envgate.engine import evaluate, evaluate_static, settle, source_locations
from envgate.errors import EnvgateError
from envgate.findings import Outcome
from envgate.resource import Resource


def _log_group(values: dict | None = None, **extra) -> Resource:
    return Resource(type="aws_cloudwatch_log_group", address="aws_cloudwatch_log_group.Fn", env="production",
                    values={"name": "/aws/lambda/prod-Fn", **(values or {})}, **extra)


def test_unknown_value_is_deferred_at_plan_never_pass() -> None:
    [finding] = evaluate([_log_group(unknown=frozenset({"retention_in_days"}))], "production", "plan", only=["EG003"])
    assert finding.outcome is Outcome.DEFERRED


def test_unknown_value_fails_at_live_gate() -> None:
    [finding] = evaluate([_log_group(unknown=frozenset({"retention_in_days"}))], "production", "live", only=["EG003"])
    assert finding.outcome is Outcome.FAIL
    assert finding.message.endswith("retention_in_days is (unknown), contract says 7")


def test_unknown_parent_covers_children() -> None:
    plan = Resource(type="aws_api_gateway_usage_plan", address="aws_api_gateway_usage_plan.P", env="production",
                    values={}, unknown=frozenset({"throttle_settings", "quota_settings", "api_stages"}))
    assert {f.outcome for f in evaluate([plan], "production", "plan", only=["EG004"])} == {Outcome.DEFERRED}


def test_plan_and_live_share_one_check() -> None:
    plan = evaluate([_log_group(values={"retention_in_days": 3})], "production", "plan", only=["EG003"])
    live = evaluate([_log_group(values={"retention_in_days": 3})], "production", "live", only=["EG003"])
    assert [f.message for f in plan] == [f.message for f in live]


def test_static_plan_and_live_share_one_check() -> None:
    res = _log_group(values={"retention_in_days": 3})
    messages = {gate: [f.message for f in evaluate([res], "production", gate, only=["EG003"])]
                for gate in ("static", "plan", "live")}
    assert messages["static"] == messages["plan"] == messages["live"]


def test_unknown_gate_is_an_error() -> None:
    with pytest.raises(EnvgateError, match="unknown gate 'apply'"):
        evaluate([], "production", "apply")


def test_resources_of_another_environment_are_rejected() -> None:
    stray = Resource(type="aws_sqs_queue", address="aws_sqs_queue.Q", env="staging", values={})
    with pytest.raises(EnvgateError, match="resources of another environment"):
        evaluate([stray], "production", "plan")


def test_unknown_environment_is_an_error() -> None:
    with pytest.raises(EnvgateError, match=r"unknown environment 'qa'"):
        evaluate([], "qa", "plan")


def test_static_root_without_terraform_dir(tmp_path: Path) -> None:
    with pytest.raises(EnvgateError, match="no terraform/ directory"):
        evaluate_static(tmp_path, "production")


def test_source_locations_point_at_blocks(tmp_path: Path) -> None:
    (tmp_path / "terraform").mkdir()
    (tmp_path / "terraform" / "q.tf").write_text('\nresource "aws_sqs_queue" "Q" {\n  name = "x"\n}\n')
    assert source_locations(tmp_path) == {"aws_sqs_queue.Q": ("terraform/q.tf", 2)}


def test_live_policy_in_scope_by_own_arn() -> None:
    cluster = Resource(type="aws_dsql_cluster", address="aws_dsql_cluster.Db", env="production",
                       values={"arn": "arn:aws:dsql:us-east-1:123456789012:cluster/abc"})
    policy = Resource(type="aws_iam_role_policy", address="aws_iam_role_policy.P", env="production", values={
        "policy": {"Statement": {"Effect": "Allow", "Action": "dsql:DbConnect",
                                 "Resource": "arn:aws:dsql:us-east-1:123456789012:cluster/abc"}}})
    findings = evaluate([cluster, policy], "production", "live", only=["EG008"])
    assert [f.outcome for f in findings] == [Outcome.PASS]
    alone = evaluate([policy], "production", "live", only=["EG008"])
    assert [f.outcome for f in alone] == [Outcome.FAIL]


def test_a_plan_deferral_is_settled_only_by_a_live_verdict() -> None:
    deferred = evaluate([_log_group(unknown=frozenset({"retention_in_days"}))], "production", "plan", only=["EG003"])
    live_fail = evaluate([_log_group(values={"retention_in_days": 3})], "production", "live", only=["EG003"])
    [paid] = settle(deferred + live_fail)
    assert paid.outcome is Outcome.PASS and paid.rule_id == "SETTLE"
    assert paid.message == ("production aws_cloudwatch_log_group.Fn (unknown location): retention_in_days (EG003, "
                            "deferred at plan) is FAIL at live, contract says a verdict of the live gate")
    other = evaluate([_log_group(values={"retention_in_days": 7})], "production", "live", only=["EG001"])
    [unpaid] = settle(deferred + other)
    assert unpaid.outcome is Outcome.FAIL and "is no live verdict" in unpaid.message
    assert settle(deferred) == []  # live did not run for production: nothing to settle yet
