"""The idiom corpus (tests/unit/idioms/) at the plan gate: `tofu plan` of the correct stack and of every seeded
case, checked by the same rules. Wherever the plan alone knows a value (no completion from the configuration),
the static verdict on that resource and attribute is the plan's; and the plan gate as it runs fails every
seeded FAIL too."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from envgate import engine, plan as planmod, stack
from envgate.contract import load_contract
from envgate.errors import EnvgateError
from envgate.findings import Finding, Outcome
from envgate.paths import policies_dir

pytestmark = [pytest.mark.engine, pytest.mark.local_aws, pytest.mark.slow]

CORPUS = Path(__file__).parents[1] / "unit" / "idioms"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text())["cases"]
# The correct stack in every environment; each seeded case in the first environment it names.
RUNS = [pytest.param(None, name, id=f"correct-stack-{name}") for name in ("staging", "production", "dev")] + [
    pytest.param(case, case["envs"][0], id=f"{case['id']}-{case['envs'][0]}") for case in CASES]
DECIDED = (Outcome.PASS, Outcome.FAIL)


@pytest.fixture(scope="module")
def contract():
    return load_contract(policies_dir() / "fixtures" / "contract.yaml")


def _key(f: Finding) -> tuple[str, str, str]:
    return f.rule_id, f.address, f.attribute


@pytest.mark.parametrize(("case", "target_env"), RUNS)
def test_static_verdicts_agree_with_the_plan_on_idioms(case, target_env, contract, toolchain, aws_target, tmp_path):
    env = target_env
    repo = tmp_path / "repo"
    shutil.copytree(CORPUS / "correct-stack", repo)
    if case:
        path = repo / case["file"]
        path.write_text(path.read_text().replace(case["find"], case["replace"]))
    static = engine.evaluate_static(repo, env, contract)
    try:
        doc = stack.prepare(repo, env, toolchain, aws_target, tmp_path / "work", contract).plan_json()
    except EnvgateError as exc:
        pytest.fail(str(exc), pytrace=False)
    source = f"tofu show -json ({env})"
    resources = planmod.resources(doc, env, locations=engine.source_locations(repo, contract), source=source)
    at_plan = {_key(f): f for f in engine.evaluate(resources, env, "plan", contract) if f.outcome in DECIDED}
    at_static = {_key(f): f for f in static if f.outcome in DECIDED}
    both = sorted(at_static.keys() & at_plan.keys())
    assert len(both) >= 20, f"only {len(both)} verdicts to compare"
    differ = [f"static: {at_static[k]}\n  plan:   {at_plan[k]}" for k in both if at_static[k].outcome != at_plan[k].outcome]
    assert not differ, "the static and plan gates disagree:\n  " + "\n  ".join(differ)
    seeded = [f for f in static if f.outcome is Outcome.FAIL]
    assert bool(seeded) == bool(case and any(row[0] == "FAIL" and row[2].startswith(f"{env} ") for row in case["findings"]))
    # The plan gate as it runs: what a fresh plan leaves unknown is completed from the evaluated configuration.
    gate = {_key(f): f for f in engine.evaluate(engine.plan_resources(doc, env, repo, contract, source), env, "plan",
                                                contract)}
    missed = [str(f) for f in seeded if _key(f) not in gate or gate[_key(f)].outcome is not Outcome.FAIL]
    assert not missed, "a static FAIL the plan does not fail:\n  " + "\n  ".join(missed)
