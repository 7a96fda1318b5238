"""Rule metadata (the catalogue: envgate/rules.yaml, or a repository's own policies/rules.yaml) and the check functions registered per (rule id, gate).

    @check("EG003", "static", "plan", "live")
    def log_retention(resources: Sequence[Resource], ctx: CheckContext) -> Iterable[Finding]: ...

One function serves every gate it is registered for: all tiers hand it normalized `Resource`s.
Metadata and registrations must match one to one (tests/meta).
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from envgate.contract import Contract, EnvironmentContract
from envgate.errors import EnvgateError
from envgate.findings import MISSING, Finding, Outcome
from envgate.paths import policies_dir
from envgate.yamlio import FieldError, load_yaml, validation_message

GATES = ("static", "plan", "live")
Gate = Literal["static", "plan", "live"]
# Where the checks live: one module serves every gate (imported on first use, not with the registry).
CHECK_MODULE = "envgate.checks"


class RuleMeta(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[A-Z]{1,8}\d{3}$")]  # EG### built in; a team picks its own letters
    title: str
    severity: Literal["critical", "high", "medium", "low"]
    rationale: Annotated[str, Field(pattern=r"^[^\n]+$", description="One line.")]
    remediation: str
    gates: Annotated[list[Gate], Field(min_length=1)]
    resource_types: list[str]
    params: dict[str, Any] = {}

    @field_validator("gates")
    @classmethod
    def _unique_gates(cls, gates: list[str]) -> list[str]:
        if len(set(gates)) != len(gates):
            raise ValueError("gates are listed twice")
        return gates


class RuleCatalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[RuleMeta]

    @field_validator("rules")
    @classmethod
    def _unique_ids(cls, rules: list[RuleMeta]) -> list[RuleMeta]:
        seen: set[str] = set()
        for index, rule in enumerate(rules):
            if rule.id in seen:
                raise FieldError(f"rules.{index}.id", f"duplicate rule id {rule.id}")
            seen.add(rule.id)
        return rules

    def get(self, rule_id: str) -> RuleMeta:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise EnvgateError(f"unknown rule id {rule_id!r} (not in the rule catalogue)")

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.rules]

    def for_gate(self, gate: str, ids: Iterable[str] | None = None) -> list[RuleMeta]:
        """The rules to evaluate at `gate`: all that declare it, or exactly `ids` (each must declare it)."""
        if gate not in GATES:
            raise EnvgateError(f"unknown gate {gate!r} (one of {', '.join(GATES)})")
        if ids is None:
            return [r for r in self.rules if gate in r.gates]
        selected = [self.get(i) for i in ids]
        for rule in selected:
            if gate not in rule.gates:
                raise EnvgateError(f"rule {rule.id} has no {gate} gate (its gates: {', '.join(rule.gates)})")
        return selected


BUILT_IN = Path(__file__).with_name("rules.yaml")


def catalogue_path() -> Path:
    """The repository's own policies/rules.yaml when it has one, else envgate's built-in catalogue."""
    own = policies_dir() / "rules.yaml"
    return own if own.is_file() else BUILT_IN


def load_rules(path: Path | None = None) -> RuleCatalogue:
    path = path or catalogue_path()
    try:
        return RuleCatalogue.model_validate(load_yaml(path))
    except ValidationError as exc:
        raise EnvgateError(validation_message(path, exc)) from None


@dataclass(frozen=True)
class CheckContext:
    """Everything a check needs besides its input: which rule, gate and environment, and the contract."""

    rule: RuleMeta
    gate: str
    env: str
    spec: EnvironmentContract
    contract: Contract
    # Live gate: the other environments' deployed resources, for the checks that span environments.
    others: Mapping[str, Sequence[Any]] = field(default_factory=dict)

    def finding(self, address: str, attribute: str, actual: Any, expected: Any, outcome: Outcome, *,
                file: str | None = None, line: int | None = None, sensitive: bool = False) -> Finding:
        return Finding(rule_id=self.rule.id, gate=self.gate, env=self.env, address=address, attribute=attribute,
                       actual=actual, expected=expected, outcome=outcome, file=file, line=line, sensitive=sensitive)

    def verdict(self, ok: bool, address: str, attribute: str, actual: Any, expected: Any, *,
                file: str | None = None, line: int | None = None, sensitive: bool = False) -> Finding:
        return self.finding(address, attribute, actual, expected, Outcome.PASS if ok else Outcome.FAIL,
                            file=file, line=line, sensitive=sensitive)

    def param(self, name: str, default: Any = MISSING) -> Any:
        if name in self.rule.params:
            return self.rule.params[name]
        if default is MISSING:
            raise EnvgateError(f"rule {self.rule.id}: params.{name} is missing in the rule catalogue")
        return default


CheckFn = Callable[[Any, CheckContext], Iterable[Finding]]
_CHECKS: dict[tuple[str, str], CheckFn] = {}


def check(rule_id: str, *gates: str) -> Callable[[CheckFn], CheckFn]:
    """Register a check function for `rule_id` at each of `gates` (one function may serve plan and live)."""
    if not gates or any(g not in GATES for g in gates):
        raise EnvgateError(f"@check({rule_id!r}): gates must be a non-empty subset of {', '.join(GATES)}")

    def register(fn: CheckFn) -> CheckFn:
        for gate in gates:
            if (rule_id, gate) in _CHECKS:
                raise EnvgateError(f"@check: {rule_id}/{gate} is registered twice ({fn.__qualname__})")
            _CHECKS[rule_id, gate] = fn
        return fn

    return register


# A team's own checks: modules named by entry points of this group are imported beside envgate's.
CHECK_ENTRY_POINTS = "envgate.checks"
_LOADED: list[bool] = []


def registered(gates: Iterable[str] = GATES) -> dict[tuple[str, str], CheckFn]:
    """The registrations for `gates`, after importing the modules that define the checks."""
    wanted = set(gates)
    if not _LOADED:
        importlib.import_module(CHECK_MODULE)
        for entry in importlib.metadata.entry_points(group=CHECK_ENTRY_POINTS):
            try:
                entry.load()
            except Exception as exc:  # noqa: BLE001 - any import failure is the team's module: name it
                raise EnvgateError(f"entry point {CHECK_ENTRY_POINTS}:{entry.name} ({entry.value}) does not "
                                   f"load: {type(exc).__name__}: {exc}") from None
        _LOADED.append(True)
    return {key: fn for key, fn in _CHECKS.items() if key[1] in wanted}


def check_for(rule: RuleMeta, gate: str) -> CheckFn:
    try:
        return registered([gate])[rule.id, gate]
    except KeyError:
        raise EnvgateError(f"rule {rule.id} declares the {gate} gate but no check is registered for it") from None
