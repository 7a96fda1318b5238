"""Public API: run the contract's rules at a gate and get Findings back.

    evaluate(resources, env, gate)   plan/live: normalized Resources of one environment
    evaluate_static(root, env)       static: the repository's terraform/ and environments/

Every result also goes to envgate.report's sink (for --report-dir); self-tests evaluate inside
`report.paused()` so their deliberate failures never reach a report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from envgate import report
from envgate.contract import Contract, load_contract
from envgate.errors import EnvgateError
from envgate.findings import Finding
from envgate.registry import CheckContext, RuleCatalogue, RuleMeta, check_for, load_rules
from envgate.resource import Resource
from envgate.static import StaticProject, load_project, source_locations
from envgate.waivers import Waivers, apply_waivers

__all__ = ["evaluate", "evaluate_static", "source_locations"]


def evaluate(resources: Sequence[Resource], env: str, gate: str, contract: Contract | None = None,
             rules: RuleCatalogue | None = None, *, only: Iterable[str] | None = None,
             waivers: Waivers | None = None) -> list[Finding]:
    """Check one environment's normalized resources at the plan or live gate.

    only: rule ids to run (default: every rule declaring `gate`); an unknown id, or one without a check
    for `gate`, is an EnvgateError. waivers: applied to the result (expired/unused ones become FAILs).
    """
    if gate not in ("plan", "live"):
        raise EnvgateError(f"evaluate() runs the plan or live gate, not {gate!r} (use evaluate_static)")
    contract = contract or load_contract()
    rules = rules or load_rules()
    spec = contract.env(env)
    strays = sorted({r.address for r in resources if r.env != env})
    if strays:
        raise EnvgateError(f"evaluate({env}): resources of another environment passed in: {', '.join(strays[:3])}")
    selected = rules.for_gate(gate, only)
    findings = [f for rule in selected
                for f in check_for(rule, gate)(resources, CheckContext(rule, gate, env, spec, contract))]
    return _waived(findings, waivers, gate, selected, [env])


def evaluate_static(root_dir: Path | str, env: str | Iterable[str] | None = None, contract: Contract | None = None,
                    rules: RuleCatalogue | None = None, *, only: Iterable[str] | None = None,
                    waivers: Waivers | None = None) -> list[Finding]:
    """Check the HCL and tfvars under `root_dir` for one environment, several, or (None) every contract env."""
    contract = contract or load_contract()
    rules = rules or load_rules()
    envs = list(contract.environments) if env is None else [env] if isinstance(env, str) else list(env)
    specs = {name: contract.env(name) for name in envs}
    selected = rules.for_gate("static", only)
    project: StaticProject = load_project(Path(root_dir))
    # Keyed by what the reader sees: a finding shared by every environment (an orphan tfvars) appears once.
    findings: dict[tuple[str, str, str], Finding] = {}
    for name, spec in specs.items():
        for rule in selected:
            for finding in check_for(rule, "static")(project, CheckContext(rule, "static", name, spec, contract)):
                findings.setdefault((finding.rule_id, finding.outcome.value, finding.message), finding)
    return _waived(list(findings.values()), waivers, "static", selected, envs)


def _waived(findings: list[Finding], waivers: Waivers | None, gate: str, rules: list[RuleMeta],
            envs: list[str]) -> list[Finding]:
    """Apply waivers, then hand the result to the report sink (a no-op inside `report.paused()`)."""
    if waivers is not None:
        findings = apply_waivers(findings, waivers, gate, [(r.id, e) for r in rules for e in envs])
    report.record(findings)
    return findings
