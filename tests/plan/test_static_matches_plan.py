"""One rule, one check, three gates: wherever the plan knows a value, the static gate gave it the same verdict."""

from __future__ import annotations

import pytest

from envgate import engine
from envgate.findings import Outcome

pytestmark = pytest.mark.plan

DECIDED = (Outcome.PASS, Outcome.FAIL)


def test_static_verdicts_agree_with_the_plan(env, planned, repo_root, contract):
    result = planned(env)
    static = engine.evaluate_static(repo_root, env, contract)
    key = lambda f: (f.rule_id, f.address, f.attribute)  # noqa: E731
    at_static = {key(f): f.outcome for f in static if f.outcome in DECIDED}
    at_plan = {key(f): f.outcome for f in result.findings if f.outcome in DECIDED}
    both = sorted(at_static.keys() & at_plan.keys())
    assert len(both) >= 50, f"{env}: only {len(both)} verdicts to compare"
    differ = [f"{k}: static {at_static[k].value}, plan {at_plan[k].value}" for k in both if at_static[k] != at_plan[k]]
    assert not differ, f"{env}: the static and plan gates disagree:\n  " + "\n  ".join(differ)
