"""Waivers (policies/waivers.yaml): an owned, reasoned, expiring exception that turns a FAIL into WAIVED.

A waiver that has expired, or that matches no FAIL in a run that evaluated its rule, environment and gate,
is itself a FAIL (rule id WAIVER): exceptions must not outlive their reason or the defect they excuse.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from envgate.contract import Contract
from envgate.errors import EnvgateError
from envgate.findings import Finding, Outcome, Raw
from envgate.paths import policies_dir, shown
from envgate.registry import Gate, RuleCatalogue
from envgate.resource import base_address
from envgate.yamlio import load_yaml, pop_line, validation_message

WAIVER_RULE = "WAIVER"


class Waiver(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: Annotated[str, Field(pattern=r"^[A-Z]{1,8}\d{3}$")]
    env: str
    address: Annotated[str, Field(min_length=1, description="Resource address; shell-style wildcards allowed.")]
    owner: Annotated[str, Field(min_length=1)]
    reason: Annotated[str, Field(min_length=1)]
    expires: dt.date
    gates: list[Gate] | None = Field(None, description="Only at these gates (default: every gate of the rule).")
    line: int | None = Field(None, exclude=True)

    def covers(self, finding: Finding) -> bool:
        return (finding.rule_id == self.rule and finding.env == self.env
                and (self.gates is None or finding.gate in self.gates)
                and any(fnmatchcase(a, self.address) for a in (finding.address, base_address(finding.address))))


class WaiverFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    waivers: list[Waiver] = []


@dataclasses.dataclass(frozen=True)
class Waivers:
    path: str
    items: tuple[Waiver, ...]


def load_waivers(path: Path | None = None, rules: RuleCatalogue | None = None,
                 contract: Contract | None = None) -> Waivers:
    """Read and validate a waiver file; a rule id or environment that does not exist is an error."""
    path = path or policies_dir() / "waivers.yaml"
    data = load_yaml(path, with_lines=True) or {}
    lines = [pop_line(item) if isinstance(item, dict) else None for item in data.get("waivers") or []]
    data.pop("__line__", None)
    try:
        parsed = WaiverFile.model_validate(data)
    except ValidationError as exc:
        raise EnvgateError(validation_message(path, exc)) from None
    items = tuple(w.model_copy(update={"line": line}) for w, line in zip(parsed.waivers, lines, strict=True))
    for index, waiver in enumerate(items):
        where = f"{shown(path)}:{waiver.line}: waivers.{index}"
        if rules is not None and waiver.rule not in rules.ids:
            raise EnvgateError(f"{where}.rule: unknown rule id {waiver.rule} (not in the rule catalogue)")
        if contract is not None and waiver.env not in contract.environments:
            raise EnvgateError(f"{where}.env: unknown environment {waiver.env!r}")
    return Waivers(path=shown(path), items=items)


def apply_waivers(findings: list[Finding], waivers: Waivers, gate: str, scope: Iterable[tuple[str, str]],
                  today: dt.date | None = None) -> list[Finding]:
    """Waive matching FAILs; add a WAIVER FAIL for each in-scope waiver that is expired or unused.

    scope: the (rule id, environment) pairs this run evaluated at `gate`.
    """
    today = today or dt.date.today()
    evaluated = set(scope)
    live = [w for w in waivers.items
            if (w.rule, w.env) in evaluated and (w.gates is None or gate in w.gates)]
    used: set[int] = set()
    result: list[Finding] = []
    for finding in findings:
        waiver = next((w for w in live if w.expires >= today and w.covers(finding)), None)
        if finding.outcome is Outcome.FAIL and waiver is not None:
            used.add(id(waiver))
            finding = dataclasses.replace(finding, outcome=Outcome.WAIVED, waiver=f"{waiver.owner}: {waiver.reason}")
        result.append(finding)
    for waiver in live:
        if waiver.expires < today:
            problem = ("expires", waiver.expires.isoformat(),
                       Raw(f"a date not before {today.isoformat()} (renew or remove the waiver)"))
        elif id(waiver) not in used:
            problem = ("waiver", Raw("unused"), Raw(f"it matches a FAIL of {waiver.rule} (remove it)"))
        else:
            continue
        attribute, actual, expected = problem
        result.append(Finding(rule_id=WAIVER_RULE, gate=gate, env=waiver.env, address=waiver.address,
                              attribute=attribute, actual=actual, expected=expected, outcome=Outcome.FAIL,
                              file=waivers.path, line=waiver.line))
    return result
