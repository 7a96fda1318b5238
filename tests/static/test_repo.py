"""The static gate on the repository itself (what pre-commit runs): every environment's configuration,
evaluated with its var files, honours the contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from envgate import engine
from envgate.contract import load_contract
from envgate.engine import evaluate_static
from envgate.findings import Finding, Outcome
from envgate.registry import load_rules
from envgate.waivers import load_waivers

pytestmark = pytest.mark.static


@pytest.fixture(scope="module")
def findings(repo_root: Path, envs: list[str]) -> list[Finding]:
    contract, rules = load_contract(), load_rules()
    waivers = load_waivers(rules=rules, contract=contract)
    # A tfvars file without a contract entry is not an environment yet: EG009 reports it as such.
    return evaluate_static(repo_root, [e for e in envs if e in contract.environments], contract, rules,
                           waivers=waivers)


def test_static_gate_passes(findings: list[Finding], envgate_record) -> None:
    envgate_record(findings)
    failed = [f"{f.rule_id} {f.message}" for f in findings if f.outcome is Outcome.FAIL]
    assert not failed, "static gate:\n" + "\n".join(failed)


def test_every_static_rule_checks_something(findings: list[Finding], envs: list[str]) -> None:
    contract = load_contract()
    envs = [e for e in envs if e in contract.environments]
    checked = {(f.rule_id, f.env) for f in findings if f.outcome is Outcome.PASS}
    idle = [f"{rule.id}/{env}" for rule in load_rules().for_gate("static") for env in envs
            if (rule.id, env) not in checked and engine.judges(rule.id, env, contract)]
    assert not idle, f"rules that found nothing to check (is terraform/ complete?): {', '.join(idle)}"
