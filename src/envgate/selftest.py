"""Rule fixtures: policies/fixtures/<RULE_ID>/<gate>/{pass,fail}/ run through the engine.

static: a tiny repository (terraform/*.tf, environments/*.tfvars) + case.yaml, laid over fixtures/_base/
        (the contract's variables, locals with provider default_tags, every environment's var file): a
        fixture holds only the files it adds or replaces
plan, live: resources.json (normalized Resources) + case.yaml; live may add others.json ({env: [Resources]}),
        the other environments' deployed resources for the rules that span environments
plan, live: others.json ({env: [Resources]}) also gives the other environments' resources (the model of
        parity at plan)
case.yaml: env, and for fail fixtures `fail:` message substrings (every FAIL must match one: an unlisted FAIL is a
        defect of the rule or the fixture); optional `deferred:` substrings; optional
        `contract:` settings laid over the fixture contract (e.g. `parity:`) for this case only.
The fixtures are evaluated against policies/fixtures/contract.yaml, a frozen copy of the contract.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from envgate.contract import Contract, load_contract
from envgate.engine import evaluate, evaluate_static
from envgate.errors import EnvgateError
from envgate.findings import Finding, Outcome
from envgate.paths import policies_dir
from envgate.registry import RuleCatalogue, RuleMeta
from envgate.resource import Resource, load_resources
from envgate.yamlio import load_yaml, validation_message

KINDS = ("pass", "fail")
BASE = "_base"


@dataclass(frozen=True)
class FixtureCase:
    rule_id: str
    gate: str
    kind: str
    path: Path
    env: str
    fail: tuple[str, ...]
    deferred: tuple[str, ...]
    contract: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.rule_id}/{self.gate}/{self.kind}"


def fixtures_dir() -> Path:
    return policies_dir() / "fixtures"


def fixture_contract() -> Contract:
    """fixtures/contract.yaml (a frozen copy) when the repository keeps one, else its contract."""
    frozen = fixtures_dir() / "contract.yaml"
    return load_contract(frozen if frozen.is_file() else policies_dir() / "contract.yaml")


def missing(rule: RuleMeta, root: Path | None = None) -> list[str]:
    """The pass/fail fixtures the rule lacks for the gates it declares."""
    root = root or fixtures_dir()
    return [f"{rule.id}/{gate}/{kind}" for gate in rule.gates for kind in KINDS
            if not (root / rule.id / gate / kind / "case.yaml").is_file()]


def problems(case: FixtureCase, contract: Contract, rules: RuleCatalogue) -> list[str]:
    """What is wrong with a fixture's verdict: a pass case must PASS something and FAIL nothing, a fail case must
    give each expected FAIL and no other, and the expected DEFERRED must come."""
    findings = run(case, contract, rules)
    by_outcome = {o: [f.message for f in findings if f.outcome is o] for o in Outcome}
    out = []
    if case.kind == "pass":
        out += [f"a pass fixture failed: {m}" for m in by_outcome[Outcome.FAIL]]
        if not by_outcome[Outcome.PASS]:
            out.append(f"{case.id}: the rule checked nothing (no PASS finding)")
    elif not case.fail:
        out.append(f"{case.id}: case.yaml lists no expected `fail:` messages")
    for expected in case.fail:
        if not any(expected in m for m in by_outcome[Outcome.FAIL]):
            out.append(f"expected a FAIL containing: {expected}\ngot:\n  " + "\n  ".join(by_outcome[Outcome.FAIL]))
    if case.kind == "fail":
        out += [f"an unexpected FAIL: {m}" for m in by_outcome[Outcome.FAIL] if not any(e in m for e in case.fail)]
    for expected in case.deferred:
        if not any(expected in m for m in by_outcome[Outcome.DEFERRED]):
            out.append(f"expected a DEFERRED containing: {expected}")
    if {f.rule_id for f in findings} != {case.rule_id}:
        out.append(f"{case.id}: findings of other rules: {sorted({f.rule_id for f in findings} - {case.rule_id})}")
    return out


def discover(root: Path | None = None) -> list[FixtureCase]:
    """Every <RULE>/<gate>/<kind>/ directory with a case.yaml (layout errors are left to tests/meta)."""
    root = root or fixtures_dir()
    cases = []
    for case_file in sorted(root.glob("*/*/*/case.yaml")):
        directory = case_file.parent
        data = load_yaml(case_file) or {}
        unknown = set(data) - {"env", "fail", "deferred", "contract"}
        if unknown or "env" not in data:
            raise EnvgateError(f"{case_file}: case.yaml takes env, fail, deferred, contract "
                               f"(got {', '.join(sorted(data))})")
        cases.append(FixtureCase(rule_id=directory.parent.parent.name, gate=directory.parent.name,
                                 kind=directory.name, path=directory, env=data["env"],
                                 fail=tuple(data.get("fail") or ()), deferred=tuple(data.get("deferred") or ()),
                                 contract=data.get("contract") or {}))
    return cases


def lay_out(case: FixtureCase, root: Path) -> Path:
    """A static fixture as the repository it stands for: fixtures/_base/ (when there is one), then its own files."""
    if (fixtures_dir() / BASE).is_dir():
        shutil.copytree(fixtures_dir() / BASE, root, dirs_exist_ok=True)
    shutil.copytree(case.path, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("case.yaml"))
    return root


def run(case: FixtureCase, contract: Contract, rules: RuleCatalogue) -> list[Finding]:
    """The findings of the fixture's own rule only, at the fixture's gate."""
    if case.contract:
        try:
            contract = Contract.model_validate({**contract.model_dump(mode="json"), **case.contract})
        except ValidationError as exc:
            raise EnvgateError(validation_message(case.path / "case.yaml", exc)) from None
    if case.gate == "static":
        with tempfile.TemporaryDirectory(prefix="envgate-fixture-") as scratch:
            root = lay_out(case, Path(scratch))
            return evaluate_static(root, case.env, contract, rules, only=[case.rule_id])
    resources = load_resources(case.path / "resources.json", env=case.env)
    others_file = case.path / "others.json"
    others = ({env: [Resource.from_dict(item, env) for item in items]
               for env, items in load_yaml(others_file).items()} if others_file.is_file() else None)
    return evaluate(resources, case.env, case.gate, contract, rules, only=[case.rule_id], others=others)
