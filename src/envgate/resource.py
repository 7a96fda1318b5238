"""The one shape both value tiers normalize into, so the plan and live gates share their check functions.

`values` uses Terraform attribute names exactly as a plan JSON `values` object does (nested blocks are
lists: `throttle_settings[0].burst_limit`). Attribute paths in `unknown` / `sensitive` use the same
spelling; a path covers everything below it (`policy` unknown makes `policy.Statement` unknown too).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonpath_ng import parse as jsonpath_parse
from jsonpath_ng.exceptions import JsonPathParserError

from envgate.errors import EnvgateError
from envgate.findings import MISSING

MANAGED_BY = "managed_by"  # the live path of "which state manages it": unknown when a state could not be read
_INDEX = re.compile(r'\[(\d+|"[^"]*")\]')
_PARENT = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")


@dataclass(frozen=True)
class Resource:
    type: str
    address: str
    env: str
    values: Mapping[str, Any] = field(default_factory=dict, repr=False)
    unknown: frozenset[str] = frozenset()
    sensitive: frozenset[str] = frozenset()
    file: str | None = None
    line: int | None = None
    # Static gate: the line (and, for var values, the file) of each attribute path, where known.
    lines: Mapping[str, int] = field(default_factory=dict, repr=False, compare=False)
    files: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    # Why an unknown path is unknown (the call that could not read it, the form tfparse left unresolved).
    reasons: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    # Live gate: the environment whose state manages the resource ("" when none does: an orphan), and the API
    # call that found it. None where the source does not say (static, plan, parts of another resource).
    managed_by: str | None = None
    found_by: str | None = None

    def __post_init__(self) -> None:
        # Normalizers may hand in plain sets or lists; keep the frozen, hashable form.
        object.__setattr__(self, "unknown", frozenset(self.unknown))
        object.__setattr__(self, "sensitive", frozenset(self.sensitive))

    @property
    def base_address(self) -> str:
        return base_address(self.address)

    def get(self, path: str) -> Any:
        """The value at an attribute path, or MISSING."""
        matches = _compiled(path).find(self.values)
        return matches[0].value if matches else MISSING

    def where(self, path: str) -> tuple[str | None, int | None]:
        """file and line to report for an attribute: its own line when known, else the block's."""
        probe = path
        while probe:
            if probe in self.lines:
                return self.files.get(probe, self.file), self.lines[probe]
            parent = _PARENT.sub("", probe)
            probe = "" if parent == probe else parent
        return self.file, self.line

    def reason(self, path: str) -> str | None:
        """Why `path` (or the unknown path that covers it) is unknown, when the source said."""
        return next((why for root, why in self.reasons.items() if covered(path, frozenset({root}))), None)

    def is_unknown(self, path: str) -> bool:
        return covered(path, self.unknown)

    def is_sensitive(self, path: str) -> bool:
        return covered(path, self.sensitive)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], env: str | None = None) -> Resource:
        try:
            return cls(type=data["type"], address=data["address"], env=env or data["env"],
                       values=data.get("values", {}), unknown=data.get("unknown", ()),
                       sensitive=data.get("sensitive", ()), file=data.get("file"),
                       line=data.get("line"), reasons=data.get("reasons", {}), managed_by=data.get("managed_by"),
                       found_by=data.get("found_by"))
        except KeyError as exc:
            raise EnvgateError(f"resource {data.get('address', '?')}: missing field {exc.args[0]}") from None


def base_address(address: str) -> str:
    """An address without its count/for_each indexes (`module.m["a"].aws_x.y[0]` -> `module.m.aws_x.y`):
    the address of the HCL block, what source locations and waivers name."""
    return _INDEX.sub("", address)


def load_resources(path: Path, env: str | None = None) -> list[Resource]:
    """Read a JSON list of normalized resources (fixtures, or a normalizer's dump)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise EnvgateError(f"{path}: cannot read resources: {exc}") from None
    if not isinstance(data, list):
        raise EnvgateError(f"{path}: expected a JSON list of resources")
    return [Resource.from_dict(item, env) for item in data]


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every scalar below `value` with its attribute path (`environment[0].variables.QUEUE`)."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, f"{path}[{index}]")
    else:
        yield path, value


@lru_cache(maxsize=1024)
def _compiled(path: str):
    # Quote each key so tag names such as `aws:cloudformation:stack-name` stay one field.
    parts = re.findall(r"\[\d+\]|[^.\[\]]+", path)
    quoted = ".".join(p if p.startswith("[") else json.dumps(p) for p in parts)
    try:
        return jsonpath_parse(quoted)
    except JsonPathParserError as exc:
        raise EnvgateError(f"bad attribute path {path!r}: {exc}") from None


def covered(path: str, roots: Iterable[str]) -> bool:
    """Whether `path` is one of `roots` or lies below one (`policy` covers `policy.Statement[0]`)."""
    return any(path == r or path.startswith((r + ".", r + "[")) for r in roots)


def completed(plan: Resource, static: Resource) -> Resource:
    """`plan` with each unknown path taken from `static` where the evaluated configuration has it.

    A fresh plan leaves policies and references unknown until apply; the same configuration evaluated for the
    same environment still knows their literal parts and which of this stack's blocks they name. What static
    does not know stays unknown.
    """
    values = copy.deepcopy(dict(plan.values))
    unknown, sensitive = set(), set(plan.sensitive)
    for path in plan.unknown:
        known = static.get(path)
        if known is MISSING or not _assign(values, path, copy.deepcopy(known)):
            unknown.add(path)
            continue
        unknown |= {u for u in static.unknown if covered(u, frozenset({path}))}
        sensitive |= {s for s in static.sensitive if covered(s, frozenset({path}))}
    return replace(plan, values=values, unknown=frozenset(unknown), sensitive=frozenset(sensitive))


def _assign(values: dict, path: str, value: Any) -> bool:
    """Set `path` in place; False when a list element on the way does not exist."""
    parts = re.findall(r"\[\d+\]|[^.\[\]]+", path)
    node: Any = values
    for position, part in enumerate(parts):
        key: Any = int(part[1:-1]) if part.startswith("[") else part
        if isinstance(key, int) != isinstance(node, list) or (isinstance(key, int) and key >= len(node)):
            return False
        if position == len(parts) - 1:
            node[key] = value
            return True
        if isinstance(node, dict) and not isinstance(node.get(key), (dict, list)):
            node[key] = {}
        node = node[key]
    return False
