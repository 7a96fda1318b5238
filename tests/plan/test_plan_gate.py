"""The plan gate per environment: the engine's plan checks on `tofu plan` output, no FAIL allowed.

DEFERRED findings (values known only after apply) are never a pass: a rule whose findings are all
deferred is reported as skipped with each deferred finding listed, and every environment has one
`test_deferred_to_live` entry naming what the live gate still has to prove.
"""

from __future__ import annotations

from collections import Counter

import pytest

from envgate import engine
from envgate.findings import Outcome
from envgate.registry import load_rules

pytestmark = pytest.mark.plan

PLAN_RULES = [r.id for r in load_rules().for_gate("plan")]


def _failure_text(planned, fails) -> str:
    lines = [f"{len(fails)} plan-gate FAIL(s) for {planned.env}:"]
    lines += [f"  {f}" for f in fails]
    lines += ["reproduce:", planned.reproduce()]
    return "\n".join(lines)


def test_plan_gate_has_no_fail(env, planned, record_property, envgate_record):
    result = planned(env)
    envgate_record(result.findings)
    record_property("plan_seconds", result.seconds)
    record_property("findings", {o.value: sum(f.outcome is o for f in result.findings) for o in Outcome})
    fails = [f for f in result.findings if f.outcome is Outcome.FAIL]
    assert not fails, _failure_text(result, fails)
    assert any(f.outcome is Outcome.PASS for f in result.findings), "the plan gate evaluated nothing"


@pytest.mark.parametrize("rule_id", PLAN_RULES)
def test_rule(env, rule_id, planned, contract):
    result = planned(env)
    findings = [f for f in result.findings if f.rule_id == rule_id]
    if not engine.judges(rule_id, env, contract):
        assert not findings, f"{rule_id} judges no {env}, yet it said: {findings[0]}"
        return
    fails = [f for f in findings if f.outcome is Outcome.FAIL]
    assert not fails, _failure_text(result, fails)
    passed = [f for f in findings if f.outcome is Outcome.PASS]
    deferred = [f for f in findings if f.outcome is Outcome.DEFERRED]
    if not passed and deferred:
        where = ", ".join(f"{f.address}.{f.attribute}" for f in deferred)
        pytest.skip(f"{env} {rule_id} DEFERRED (not passed): known only after apply: {where}")
    assert passed, f"{rule_id}: no finding at all for {env}: the rule checked nothing in the plan"


def test_deferred_to_live(env, planned):
    """Lists what the plan could not prove (reported as a skip, so it is never counted as a pass)."""
    result = planned(env)
    deferred = [f for f in result.findings if f.outcome is Outcome.DEFERRED]
    if deferred:
        by_rule = Counter(f.rule_id for f in deferred)
        pytest.skip(f"{env}: {len(deferred)} DEFERRED finding(s) handed to the live gate "
                    f"({', '.join(f'{r} x{n}' for r, n in sorted(by_rule.items()))}); first: {deferred[0].message}")


def test_every_planned_resource_points_at_its_hcl_block(env, planned):
    result = planned(env)
    if "configuration" not in result.doc:
        pytest.skip("plan file without a configuration section")
    unlocated = [r.address for r in result.resources if not (r.file and r.line)]
    assert not unlocated, f"{env}: no file:line for {', '.join(unlocated)}"


def test_plan_is_of_this_environment(env, planned, contract):
    result = planned(env)
    spec = contract.env(env)
    names = [r.values.get("name") for r in result.resources
             if r.type in ("aws_sqs_queue", "aws_dynamodb_table", "aws_cloudwatch_event_bus")]
    assert names and all(isinstance(n, str) and n.startswith(f"{spec.prefix}-") for n in names), names
