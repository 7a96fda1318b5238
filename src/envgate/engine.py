"""Public API: run the contract's rules at a gate and get Findings back.

    evaluate(resources, env, gate)   any gate: normalized Resources of one environment
    evaluate_static(root, env)       static: evaluates the stack per environment, then evaluate(..., "static")
    plan_resources(doc, env, root)   plan: a plan JSON's Resources, completed from the evaluated configuration
    settle(findings)                 plan DEFERRED findings against the live gate's verdicts
    drift(doc, env, root)            a refresh-only plan: what changed outside tofu
    promote(record, ...)             a plan against the code identities an earlier environment's live gate passed

Findings are returned, never kept: the caller records what gates the stack (pytest's `envgate_record`, the
CLI's reports), so a self-test's deliberate failures cannot reach a report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from envgate.contract import Contract, load_contract
from envgate.errors import EnvgateError
from envgate.findings import MISSING, Finding, Outcome, Raw, render
from envgate.registry import GATES, CheckContext, RuleCatalogue, RuleMeta, check_for, load_rules
from envgate.resource import Resource, base_address, completed, covered
from envgate.sources import hcl
from envgate.waivers import Waivers, apply_waivers

__all__ = ["drift", "evaluate", "evaluate_static", "layouts", "plan_resources", "promote", "settle",
           "source_locations", "static_resources"]



def evaluate(resources: Sequence[Resource], env: str, gate: str, contract: Contract | None = None,
             rules: RuleCatalogue | None = None, *, only: Iterable[str] | None = None,
             waivers: Waivers | None = None, others: Mapping[str, Sequence[Resource]] | None = None) -> list[Finding]:
    """Check one environment's normalized resources at `gate`.

    only: rule ids to run (default: every rule declaring `gate`); an unknown id, or one without a check
    for `gate`, is an EnvgateError. waivers: applied to the result (expired/unused ones become FAILs).
    others: the other environments' resources (live: what is deployed), for the rules that span environments.
    """
    if gate not in GATES:
        raise EnvgateError(f"unknown gate {gate!r} (one of {', '.join(GATES)})")
    contract = contract or load_contract()
    rules = rules or load_rules()
    contract.env(env)
    strays = sorted({r.address for r in resources if r.env != env})
    if strays:
        raise EnvgateError(f"evaluate({env}): resources of another environment passed in: {', '.join(strays[:3])}")
    selected = rules.for_gate(gate, only)
    return _waived(_run(resources, env, gate, contract, selected, others), waivers, gate, selected, [env])


def _run(resources: Sequence[Resource], env: str, gate: str, contract: Contract, selected: list[RuleMeta],
         others: Mapping[str, Sequence[Resource]] | None = None) -> list[Finding]:
    spec = contract.env(env)
    out: list[Finding] = []
    for rule in selected:
        fn = check_for(rule, gate)
        try:
            out.extend(fn(resources, CheckContext(rule, gate, env, spec, contract, others or {})))
        except EnvgateError:
            raise
        except Exception as exc:  # a check's own defect (a team's, or ours): one line naming it, not a traceback
            raise EnvgateError(f"check {rule.id} ({fn.__module__}.{fn.__qualname__}) failed at the {gate} gate on "
                               f"{env}: {type(exc).__name__}: {exc}") from None
    return out


def layouts(root: Path, contract: Contract, envs: Iterable[str]) -> list[hcl.Layout]:
    """How each environment is evaluated: tofu's var file precedence, then the contract's file."""
    stack = root / contract.layout.stack
    auto = [p.relative_to(root).as_posix() for p in
            [stack / "terraform.tfvars", *sorted(stack.glob("*.auto.tfvars"))] if p.is_file()]
    out = []
    for name in envs:
        spec = contract.env(name)
        for var_file in spec.var_files:
            if not (root / var_file).is_file():
                raise EnvgateError(f"{var_file}: no such file (a var file of environment {name} in the contract)")
        out.append(hcl.Layout(root=root, stack=contract.layout.stack, env=name, workspace=spec.workspace_name,
                              var_files=(*auto, *spec.var_files)))
    return out


def static_resources(root: Path | str, envs: Iterable[str], contract: Contract) -> dict[str, list[Resource]]:
    """Each environment's configuration evaluated into Resources, plus what EG009/EG010 read beside it: the
    var-file listing and, for an environment without a workspace, the state keys of the backend files."""
    root = Path(root).resolve()
    if not (root / contract.layout.stack).is_dir():
        raise EnvgateError(f"{root}: no {contract.layout.stack}/ directory (the contract's layout.stack; pass the "
                           "repository root)")
    envs = list(envs)
    evaluated = hcl.evaluate(layouts(root, contract, envs))
    # Without a workspace the backend file alone chooses the state: EG010 compares every such env's key.
    keys = {e: contract.state_key(e, root) for e, spec in contract.environments.items() if spec.workspace is None} \
        if any(contract.env(name).workspace is None for name in envs) else {}
    for name in envs:
        folder = (root / contract.env(name).tfvars).parent
        files = sorted(p.relative_to(root).as_posix() for p in folder.glob("*.tfvars"))
        evaluated[name].append(Resource(type="var_files", address="var_files", env=name, values={"files": files}))
        spec = contract.env(name)
        if name in keys:
            evaluated[name].append(Resource(
                type="backend_config", address="backend_config", env=name, file=spec.backend_config, line=None,
                values={"key": contract.backend_settings(name, root).get("key"),
                        "other_keys": {o: k for o, k in keys.items() if o != name}}))
    return evaluated


def evaluate_static(root_dir: Path | str, env: str | Iterable[str] | None = None, contract: Contract | None = None,
                    rules: RuleCatalogue | None = None, *, only: Iterable[str] | None = None,
                    waivers: Waivers | None = None) -> list[Finding]:
    """The static gate under `root_dir` for one environment, several, or (None) every contract env."""
    contract = contract or load_contract()
    rules = rules or load_rules()
    envs = list(contract.environments) if env is None else [env] if isinstance(env, str) else list(env)
    for name in envs:
        contract.env(name)
    selected = rules.for_gate("static", only)
    model = parity_model(contract, envs) if any(r.id == "EG015" for r in selected) else None
    evaluated = static_resources(root_dir, envs + ([model] if model and model not in envs else []), contract)
    # Keyed by what the reader sees: a finding shared by every environment (an orphan tfvars) appears once.
    findings: dict[tuple[str, str, str], Finding] = {}
    for name in envs:
        others = {model: evaluated[model]} if model and name == contract.parity.environments[0] else None
        for finding in _run(evaluated[name], name, "static", contract, selected, others):
            findings.setdefault((finding.rule_id, finding.outcome.value, finding.message), finding)
    return _waived(list(findings.values()), waivers, "static", selected, envs)


def judges(rule_id: str, env: str, contract: Contract) -> bool:
    """Whether a rule has anything to say about `env`: parity (EG015) judges the contract's mirror only."""
    return rule_id != "EG015" or (contract.parity is not None and contract.parity.environments[0] == env)


def parity_model(contract: Contract, envs: Iterable[str]) -> str | None:
    """The environment the parity rule compares with, when its mirror is among `envs`."""
    if contract.parity is None or contract.parity.environments[0] not in envs:
        return None
    return contract.parity.environments[1]


def plan_resources(doc: dict, env: str, root: Path | str, contract: Contract, source: str) -> list[Resource]:
    """A plan's Resources, pointed at their blocks, with what a fresh plan leaves unknown taken from the
    configuration evaluated for the same environment (policies, references to this stack's own blocks), and a
    policy the plan's configuration section does not set left to AWS's default (not unknown)."""
    from envgate import plan as planmod

    root = Path(root).resolve()
    configuration = planmod.configured(doc)
    resources = [planmod.defaulted(r, configuration)
                 for r in planmod.resources(doc, env, locations=source_locations(root, contract), source=source)]
    static = {r.address: r for r in static_resources(root, [env], contract)[env]}
    return [completed(r, static[r.address]) if r.unknown and r.address in static else r for r in resources]


SETTLE = "SETTLE"


def settle(findings: Sequence[Finding]) -> list[Finding]:
    """Deferred is a debt the live gate must pay: one SETTLE finding per plan DEFERRED of an environment the
    live gate evaluated, PASS naming the live verdict (PASS or FAIL) on the same resource and attribute, FAIL
    when live gave none."""
    live_envs = {f.env for f in findings if f.gate == "live"}
    verdicts: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        if f.gate == "live" and f.outcome in (Outcome.PASS, Outcome.FAIL, Outcome.WAIVED):
            verdicts.setdefault((f.rule_id, f.env, base_address(f.address)), []).append(f)
    out = []
    for debt in (f for f in findings if f.gate == "plan" and f.outcome is Outcome.DEFERRED and f.env in live_envs):
        paid = [v for v in verdicts.get((debt.rule_id, debt.env, base_address(debt.address)), [])
                if _overlap(v.attribute, debt.attribute)]
        outcome = sorted({v.outcome.value for v in paid})
        out.append(Finding(rule_id=SETTLE, gate="live", env=debt.env, address=debt.address,
                           attribute=f"{debt.attribute} ({debt.rule_id}, deferred at plan)",
                           actual=Raw(f"{'/'.join(outcome)} at live") if paid else Raw("no live verdict"),
                           expected=Raw("a verdict of the live gate"),
                           outcome=Outcome.PASS if paid else Outcome.FAIL, file=debt.file, line=debt.line))
    return out


DRIFT = "DRIFT"


def drift(doc: dict, env: str, root: Path | str, contract: Contract) -> list[Finding]:
    """Findings of a refresh-only plan (envgate.stack.StackRun.drift_json): one FAIL per attribute changed and per
    resource deleted outside tofu, the live value against the state's; one PASS when nothing drifted."""
    from envgate import plan as planmod

    locations = source_locations(Path(root).resolve(), contract)
    out = []
    for item in planmod.drifted(doc):
        file, line = locations.get(base_address(item["address"]), (None, None))
        if item["deleted"]:
            out.append(Finding(rule_id=DRIFT, gate="live", env=env, address=item["address"], attribute="exists",
                               actual=False, expected=Raw("present, as in the state (deleted outside tofu)"),
                               outcome=Outcome.FAIL, file=file, line=line))
        for path, state, live in item["changes"]:
            secret = covered(path, item["sensitive"])
            shown = Raw("the state's value") if secret else Raw(f"{render(state)}, as in the state (changed outside tofu)")
            out.append(Finding(rule_id=DRIFT, gate="live", env=env, address=item["address"], attribute=path,
                               actual=live, expected=shown, outcome=Outcome.FAIL, file=file, line=line,
                               sensitive=secret))
    if not out:
        managed = len(planmod.resources(doc, env, source="refresh-only plan", include_data=False))
        out.append(Finding(rule_id=DRIFT, gate="live", env=env, address="state", attribute="resources",
                           actual=Raw(f"{managed} resources as in the state"), expected=Raw("no change outside tofu"),
                           outcome=Outcome.PASS))
    return out


PROMOTE = "PROMOTE"
CODE_RULE = "EG017"  # its PASS findings are each function's code identity


def promote(record: Sequence[Finding], source: str, resources: Sequence[Resource], env: str, contract: Contract,
            where: str, failed_tests: int = 0) -> list[Finding]:
    """`env`'s planned `resources` against what `source`'s live gate recorded (`record`: that report's findings,
    from `where`): per function and identity attribute (package hash or image digest, layers) a PASS when the plan
    deploys exactly what `source` runs, else a FAIL with both values. Nothing is promoted from a gate that failed
    or a function it did not see; a plan that leaves the identity unknown is a FAIL, never a pass."""
    import json

    live = [f for f in record if f.env == source and f.gate == "live"]
    if not live:
        raise EnvgateError(f"{where}: no live gate of {source} in it: run the live gate on {source} first")
    failed = [f for f in live if f.outcome is Outcome.FAIL]
    if failed or failed_tests:
        why = f"first: {failed[0].rule_id} {failed[0].message}" if failed else "its report counts failed tests"
        return [Finding(rule_id=PROMOTE, gate="plan", env=env, address=source, attribute="live gate",
                        actual=Raw(f"FAIL ({len(failed)} FAIL, {failed_tests} failed tests; {why})"),
                        expected=Raw(f"PASS before {env} gets what {source} runs ({where})"), outcome=Outcome.FAIL)]
    # A report's values come back rendered (JSON text); an in-memory finding keeps its value.
    runs: dict[tuple[str, str], object] = {(f.address, f.attribute): json.loads(f.actual) if isinstance(f.actual, Raw)
                                           else f.actual for f in live
                                           if f.rule_id == CODE_RULE and f.outcome is Outcome.PASS}
    pairs = list(zip(contract.name_stems(source), contract.name_stems(env)))
    out = []
    for f in evaluate(resources, env, "plan", contract, only=[CODE_RULE]):
        shown = Raw(f"{render(runs[f.address, f.attribute])}, what {source} runs ({where})") \
            if (f.address, f.attribute) in runs else Raw(f"what {source} runs, but its live gate saw no such function")
        if f.outcome is not Outcome.PASS or (f.address, f.attribute) not in runs:
            why = "" if f.actual is MISSING else f" ({render(f.actual)})"
            actual = Raw(f"not known from the plan{why}") if f.outcome is Outcome.DEFERRED else f.actual
            out.append(replace(f, rule_id=PROMOTE, actual=actual, expected=shown, outcome=Outcome.FAIL))
            continue
        planned, ran = f.actual, runs[f.address, f.attribute]
        if f.attribute == "layers":  # a layer of each environment's own (stag-deps:3 and prod-deps:3) is the same
            ran = [_renamed(arn, pairs) for arn in ran]
        out.append(replace(f, rule_id=PROMOTE, expected=shown,
                           outcome=Outcome.PASS if planned == ran else Outcome.FAIL))
    if not out:
        raise EnvgateError(f"{env}: its plan deploys no function: nothing to promote from {source}")
    return out


def _renamed(text: str, pairs: Sequence[tuple[str, str]]) -> str:
    for old, new in pairs:
        text = text.replace(old, new)
    return text


def _overlap(a: str, b: str) -> bool:
    """Two attribute paths that judge the same value: equal, one inside the other, or the whole resource."""
    return "values" in (a, b) or a == b or a.startswith((b + ".", b + "[")) or b.startswith((a + ".", a + "["))


def source_locations(root: Path, contract: Contract | None = None) -> dict[str, tuple[str, int]]:
    """Base address -> (file, line) of its block: lets the plan/live normalizers point findings at code."""
    return hcl.locations(Path(root).resolve(), (contract or load_contract()).layout.stack)


def _waived(findings: list[Finding], waivers: Waivers | None, gate: str, rules: list[RuleMeta],
            envs: list[str]) -> list[Finding]:
    if waivers is not None:
        findings = apply_waivers(findings, waivers, gate, [(r.id, e) for r in rules for e in envs])
    return findings
