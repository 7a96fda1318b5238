"""What a check reports: one Finding per checked attribute, with the one message format every gate prints."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

REDACTED = "(sensitive)"
UNKNOWN_LOCATION = "(unknown location)"


class Outcome(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    DEFERRED = "DEFERRED"
    WAIVED = "WAIVED"


class Raw(str):
    """Text rendered verbatim in messages: an HCL expression (`var.log_level`) or a description of what is expected."""


class _Missing:
    def __repr__(self) -> str:
        return "(missing)"


# An attribute that is absent, as opposed to present with the value null.
MISSING: Any = _Missing()


def render(value: Any) -> str:
    """One value as messages show it: strings quoted, booleans/null in HCL spelling, whole floats as integers."""
    if value is MISSING or isinstance(value, Raw):
        return repr(value) if value is MISSING else str(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return json.dumps(value, sort_keys=True, separators=(", ", ": "), default=str)


def same(actual: Any, expected: Any) -> bool:
    """Contract equality: numbers compare by value (50 == 50.0) but booleans never equal numbers (True != 1)."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(actual, (int, float)) and isinstance(expected, (int, float)):
        return float(actual) == float(expected)
    return actual == expected


@dataclass(frozen=True)
class Finding:
    rule_id: str
    gate: str
    env: str
    address: str
    attribute: str
    actual: Any
    expected: Any
    outcome: Outcome
    file: str | None = None
    line: int | None = None
    sensitive: bool = False
    # Set by waivers: who accepted a FAIL and why; never part of the message.
    waiver: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # Redact at construction so no repr, report or assertion diff can ever carry the value.
        if self.sensitive and self.actual is not MISSING:
            object.__setattr__(self, "actual", Raw(REDACTED))

    @property
    def location(self) -> str:
        if not self.file:
            return UNKNOWN_LOCATION
        return f"({self.file}:{self.line})" if self.line else f"({self.file})"

    @property
    def message(self) -> str:
        head = f"{self.env} {self.address} {self.location}: {self.attribute}"
        # A DEFERRED finding's `actual` is why the value is unknown, when the source said.
        why = "" if self.actual is MISSING else f" ({render(self.actual)})"
        if self.outcome is Outcome.DEFERRED and self.gate == "static":
            return f"{head} is not known from the configuration{why}, deferred to the plan gate"
        if self.outcome is Outcome.DEFERRED:
            return f"{head} is known only after apply{why}, deferred to the live gate"
        return f"{head} is {render(self.actual)}, contract says {render(self.expected)}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for reports (values already redacted, rendered as in the message)."""
        data = {name: getattr(self, name) for name in _FIELDS}  # shallow: asdict() deep-copies every value
        data.update(outcome=self.outcome.value, actual=render(self.actual), expected=render(self.expected),
                    message=self.message)
        return data

    def __str__(self) -> str:
        return f"{self.outcome.value} {self.rule_id} [{self.gate}] {self.message}"


_FIELDS = tuple(f.name for f in fields(Finding))


def failures(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.outcome is Outcome.FAIL]
