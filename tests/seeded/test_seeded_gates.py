"""The gate's own proof: every seeded violation is caught by the gate it is seeded for, with its message.

policies/seeded/plan.yaml: defects in code or tfvars that the plan gate must report (or tofu must refuse).
policies/seeded/live.yaml: drift made behind tofu's back in a deployed environment; the live gate must report it.
policies/seeded/static.yaml is run by tests/static/test_seeded.py; the catalogue test below counts all three.
"""

from __future__ import annotations

import pytest
from seedlib import SEEDED, drift, load_cases, normalized

from envgate.registry import load_rules
from envgate.seeded import load_seeded

PLAN_CASES = load_cases("plan")
LIVE_CASES = load_cases("live")
MIN_CASES = {"plan+live": 14, "all": 20}


def _listing(fails) -> str:
    return "\n".join(f"  {f.rule_id} {f.message}" for f in fails) or "  (no FAIL)"


@pytest.mark.selftest
@pytest.mark.slow
@pytest.mark.local_aws
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=pytest.mark.xdist_group(f"seeded-plan-{c.env}"))
                                  for c in PLAN_CASES])
def test_plan_gate_catches(case, seeded_plan):
    expected, outcome = seeded_plan(case)
    reproduce = "\n".join(f"  $ {c}" for c in outcome.reproduce)
    if outcome.refused is not None:
        assert normalized(expected) in normalized(outcome.refused), (
            f"{case.id}: tofu refused the plan, but not with the expected message:\n  want: {expected}\n"
            f"  got: {outcome.refused[:2000]}\nreproduce:\n{reproduce}")
        return
    messages = [f"{f.rule_id} {f.message}" for f in outcome.fails]
    assert f"{case.rule} {expected}" in messages, (
        f"{case.id}: the plan gate did not report\n  {case.rule} {expected}\nit reported:\n{_listing(outcome.fails)}"
        f"\nreproduce:\n{reproduce}")


@pytest.mark.selftest
@pytest.mark.slow
@pytest.mark.local_aws
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=pytest.mark.xdist_group("seeded-live"))
                                  for c in LIVE_CASES])
def test_live_gate_catches_drift(case, live_world):
    expected = live_world.expected(case)
    assert expected not in live_world.baseline[case.env], f"{case.id}: reported before the drift was seeded"
    drift(live_world, case)
    fails = live_world.fails(case.env)
    messages = [f"{f.rule_id} {f.message}" for f in fails]
    assert f"{case.rule} {expected}" in messages, (
        f"{case.id}: after `{case.file.removeprefix('aws:')}.{case.find}` the live gate did not report\n"
        f"  {case.rule} {expected}\nit reported:\n{_listing(fails)}")


def test_catalogue_size_and_shape():
    """≥ 14 plan+live and ≥ 20 seeded violations overall, unique ids, each naming a rule of its gate."""
    rules = load_rules()
    catalogues = {gate: load_seeded(SEEDED / f"{gate}.yaml") for gate in ("static", "plan", "live")}
    ids = [c.id for cases in catalogues.values() for c in cases]
    assert len(ids) == len(set(ids)), "seeded case ids repeat across catalogues"
    assert len(catalogues["plan"]) + len(catalogues["live"]) >= MIN_CASES["plan+live"]
    assert len(ids) >= MIN_CASES["all"]
    for gate in ("plan", "live"):
        for case in catalogues[gate]:
            rule = rules.get(case.rule)
            assert gate in rule.gates or (gate == "plan" and case.rule == "EG010"), \
                f"{gate}.yaml {case.id}: {case.rule} has no {gate} gate"
    for case in catalogues["live"]:
        assert case.file.startswith("aws:"), f"live.yaml {case.id}: live cases seed drift (file: aws:<service>)"
