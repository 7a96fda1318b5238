"""The static gate on the repository itself: every environment's code and tfvars honour the contract."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from envgate import hclsource
from envgate.contract import load_contract
from envgate.engine import evaluate_static
from envgate.findings import Outcome
from envgate.registry import load_rules
from envgate.waivers import load_waivers

pytestmark = pytest.mark.static


def test_static_gate_passes(repo_root: Path, envs: list[str]) -> None:
    contract, rules = load_contract(), load_rules()
    waivers = load_waivers(rules=rules, contract=contract)
    # A tfvars file without a contract entry is not an environment yet: EG009 reports it as such.
    findings = evaluate_static(repo_root, [e for e in envs if e in contract.environments], contract, rules,
                               waivers=waivers)
    failed = [f"{f.rule_id} {f.message}" for f in findings if f.outcome is Outcome.FAIL]
    assert not failed, "static gate:\n" + "\n".join(failed)


@pytest.mark.usefixtures("not_reported")  # repeats test_static_gate_passes without waivers
def test_every_static_rule_checks_something(repo_root: Path, envs: list[str]) -> None:
    envs = [e for e in envs if e in load_contract().environments]
    findings = evaluate_static(repo_root, envs)
    checked = {(f.rule_id, f.env) for f in findings if f.outcome is Outcome.PASS}
    idle = [f"{rule.id}/{env}" for rule in load_rules().for_gate("static") for env in envs
            if (rule.id, env) not in checked]
    assert not idle, f"rules that found nothing to check (is terraform/ complete?): {', '.join(idle)}"


@pytest.mark.usefixtures("not_reported")
def test_static_gate_under_one_second(repo_root: Path) -> None:
    contract, rules = load_contract(), load_rules()
    hclsource._CACHE.clear()  # as a fresh process: files come from the disk cache or get parsed
    start = time.perf_counter()
    evaluate_static(repo_root, None, contract, rules)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"static gate took {elapsed:.2f} s for all environments (budget 1 s)"
