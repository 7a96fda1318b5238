"""Plan gate input: a `tofu show -json` plan document -> normalized `Resource`s of one environment.

Values come from `planned_values` (root module and every child module); `resource_changes[].change`
adds what the plan does not know yet (`after_unknown` -> Resource.unknown) and what it must not show
(`after_sensitive`, `sensitive_values` -> Resource.sensitive). Each resource points at its block in the
HCL source (file:line) when the stack directory is given.

Bad input is one EnvgateError line naming the file. Nothing here prints a value: sensitive values stay
inside `Resource.values` and the Finding that reports them redacts them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from envgate.errors import EnvgateError
from envgate.findings import MISSING
from envgate.resource import Resource, base_address, leaves

SUPPORTED_MAJOR = 1


def load_plan_text(text: str, source: str) -> dict:
    """Parse a plan JSON text; `source` names it in errors (a path, or `tofu show -json` for a fresh plan)."""
    if not text.strip():
        raise EnvgateError(f"{source}: empty file, expected the plan JSON of `tofu show -json PLANFILE`")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        stripped = text.rstrip()
        if exc.msg == "Extra data" and stripped.startswith("{") and '"@level"' in text[:2000]:
            raise EnvgateError(f"{source}: this is the `tofu plan -json` log stream (one JSON object per line), "
                               "not a plan document: save the plan (-out=PLANFILE) and run `tofu show -json PLANFILE`") from None
        if exc.msg.startswith("Unterminated string") or (exc.pos >= len(stripped) - 1 and exc.msg.startswith("Expecting")):
            raise EnvgateError(f"{source}:{exc.lineno}: truncated plan JSON (the document ends before it is "
                               f"complete: {exc.msg})") from None
        raise EnvgateError(f"{source}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    validate(doc, source)
    return doc


def load_plan(path: Path | str) -> dict:
    """Read and validate a plan JSON file (for --plan-file); one-line errors naming the file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise EnvgateError(f"{path}: cannot read plan file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        if raw[:4] == b"PK\x03\x04":
            raise EnvgateError(f"{path}: this is a binary plan file (tofu plan -out): convert it with "
                               "`tofu show -json PLANFILE > plan.json`") from None
        raise EnvgateError(f"{path}: not JSON: the file is not UTF-8 text") from None
    return load_plan_text(text, str(path))


def validate(doc: Any, source: str) -> None:
    """The document is a `tofu show -json` plan envgate can read (format 1.x, not errored, has planned_values)."""
    if not isinstance(doc, dict):
        raise EnvgateError(f"{source}: expected a JSON object (the plan document), got a JSON {_kind(doc)}")
    if "format_version" not in doc:
        if "lineage" in doc and "resources" in doc:
            raise EnvgateError(f"{source}: this is a raw state file, not a plan: run `tofu show -json PLANFILE`")
        raise EnvgateError(f"{source}: no format_version: not the output of `tofu show -json PLANFILE`")
    version = doc["format_version"]
    major = str(version).split(".", 1)[0]
    if not isinstance(version, str) or not re.fullmatch(r"\d+\.\d+", version) or major != str(SUPPORTED_MAJOR):
        raise EnvgateError(f"{source}: unsupported format_version {version!r} (envgate reads plan JSON "
                           f"format {SUPPORTED_MAJOR}.x)")
    if doc.get("errored") is True:
        raise EnvgateError(f"{source}: the plan errored (errored: true): tofu could not finish it, "
                           "fix the errors `tofu plan` shows first")
    if "planned_values" not in doc:
        if "values" in doc:
            raise EnvgateError(f"{source}: this is `tofu show -json` of a state, not of a plan (no planned_values)")
        raise EnvgateError(f"{source}: missing planned_values: not a complete plan document")
    planned = doc["planned_values"]
    if not isinstance(planned, dict):
        raise EnvgateError(f"{source}: planned_values is a JSON {_kind(planned)}, expected an object")
    root = planned.get("root_module", {})
    if not isinstance(root, dict):
        raise EnvgateError(f"{source}: planned_values.root_module is a JSON {_kind(root)}, expected an object")
    for module in _modules(root, source):
        for index, res in enumerate(module.get("resources", [])):
            for key in ("address", "type", "mode"):
                if not isinstance(res, dict) or not isinstance(res.get(key), str):
                    where = module.get("address", "root_module")
                    raise EnvgateError(f"{source}: planned_values {where} resources[{index}] has no {key}")
    changes = doc.get("resource_changes", [])
    if not isinstance(changes, list):
        raise EnvgateError(f"{source}: resource_changes is a JSON {_kind(changes)}, expected a list")


def variable(doc: dict, name: str) -> Any:
    """An input variable's value as the plan recorded it (None when absent)."""
    entry = (doc.get("variables") or {}).get(name)
    return entry.get("value") if isinstance(entry, dict) else None


def check_environment(doc: dict, env: str, variable_name: str, source: str) -> None:
    """Refuse a plan made for another environment (its `variable_name` input is not `env`)."""
    value = variable(doc, variable_name)
    if value is not None and value != env:
        raise EnvgateError(f"{source}: this plan is for environment {value!r} (var.{variable_name}), not {env!r}")


def resources(doc: dict, env: str, *, locations: Mapping[str, tuple[str, int]] | None = None,
              source: str = "plan JSON", include_data: bool = True) -> list[Resource]:
    """Every planned resource (managed, and data sources unless include_data=False) as a Resource.

    locations: base address (`aws_x.name`, `module.m.aws_x.name`) -> (file, line) of its HCL block.
    """
    validate(doc, source)
    changes = {rc["address"]: rc.get("change") or {} for rc in doc.get("resource_changes", [])
               if isinstance(rc, dict) and isinstance(rc.get("address"), str)}
    out: list[Resource] = []
    for module in _modules(doc["planned_values"].get("root_module", {}), source):
        for res in module.get("resources", []):
            if res["mode"] == "data" and not include_data:
                continue
            change = changes.get(res["address"], {})
            unknown = set(paths(change.get("after_unknown")))
            sensitive = set(paths(res.get("sensitive_values"))) | set(paths(change.get("after_sensitive")))
            file, line = (locations or {}).get(base_address(res["address"]), (None, None))
            values = res.get("values")
            out.append(Resource(type=res["type"], address=res["address"], env=env,
                                values=values if isinstance(values, dict) else {},
                                unknown=frozenset(unknown), sensitive=frozenset(sensitive), file=file, line=line))
    return out


# Optional and computed: when the configuration does not set it, AWS gives the resource its default policy
# (the owner's, on the resource itself), which the live gate reads; a fresh plan shows it unknown.
DEFAULTED = ("policy",)


def configured(doc: dict) -> dict[str, set[str]]:
    """Base address -> the attributes its configuration sets (the plan JSON's `configuration` section)."""
    return {address: set(attributes) for address, attributes in _references(doc).items()}


def defaulted(res: Resource, configuration: Mapping[str, set[str]]) -> Resource:
    """`res` without the DEFAULTED attributes that are unknown only because the configuration leaves them to AWS."""
    sets = configuration.get(base_address(res.address))
    if sets is None:
        return res
    gone = {a for a in DEFAULTED if a in res.unknown and a not in sets}
    if not gone:
        return res
    values = {k: v for k, v in res.values.items() if k not in gone}
    return replace(res, values=values, unknown=frozenset(u for u in res.unknown if _top(u) not in gone))


def _top(path: str) -> str:
    """The resource attribute an attribute path starts at: `tags.Name` -> `tags`, `rule[0].id` -> `rule`."""
    return re.split(r"[.\[]", path, maxsplit=1)[0]


_UNSET = {None, "", MISSING}


def drifted(doc: dict) -> list[dict]:
    """`resource_drift` of a refresh-only plan: [{address, type, deleted, changes: [(path, state, live)],
    sensitive: paths}] for every managed resource that changed outside tofu, in what its configuration sets
    (a role's `inline_policy` or a bucket's `versioning` that sibling resources manage is refreshed, not drift)."""
    configuration = configured(doc)
    out = []
    for item in doc.get("resource_drift") or []:
        if not isinstance(item, dict) or item.get("mode") == "data" or not isinstance(item.get("address"), str):
            continue
        change = item.get("change") or {}
        before, after = change.get("before") or {}, change.get("after")
        sensitive = {*paths(change.get("before_sensitive")), *paths(change.get("after_sensitive"))}
        if after is None:
            out.append({"address": item["address"], "type": item.get("type"), "deleted": True, "changes": [],
                        "sensitive": sensitive})
            continue
        sets = configuration.get(base_address(item["address"]), set())
        state, live = dict(leaves(before)), dict(leaves(after))
        changes = []
        for path in sorted(state.keys() | live.keys()):
            was, now = state.get(path, MISSING), live.get(path, MISSING)
            # null, "" and an empty map or list are one "not set" to the provider: refreshing turns one into another
            if _top(path) in sets and was != now and not {was, now} <= _UNSET:
                changes.append((path, was, now))
        if changes:
            out.append({"address": item["address"], "type": item.get("type"), "deleted": False, "changes": changes,
                        "sensitive": sensitive})
    return out


def paths(marks: Any, prefix: str = "") -> Iterator[str]:
    """Attribute paths that an after_unknown / after_sensitive structure marks `true`."""
    return (path for path, mark in leaves(marks, prefix) if mark is True and path)


def _modules(module: dict, source: str) -> Iterator[dict]:
    yield module
    children = module.get("child_modules", [])
    if not isinstance(children, list):
        raise EnvgateError(f"{source}: child_modules of {module.get('address', 'root_module')} is not a list")
    for child in children:
        if isinstance(child, dict):
            yield from _modules(child, source)


def _kind(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number")


RESERIALIZED = "the same JSON document, re-serialized"


def pending_changes(doc: dict) -> list[dict]:
    """Managed resources the plan would change: [{address, actions, attributes, equivalent, why}].

    Each changed attribute is judged on its own (`why`: attribute -> reason, for the equivalent ones only). An
    attribute is equivalent when it is a JSON string whose document is unchanged (a service re-serialized it),
    or when it is unknown only because it reads a data source that re-reads at apply for a pending dependency
    (`read_because_dependency_pending`) while the plan's other changes are such re-serializations. The resource
    is `equivalent` only when every one of its changed attributes is.
    """
    pending = {rc["address"] for rc in doc.get("resource_changes", [])
               if rc.get("mode") == "data" and rc.get("action_reason") == "read_because_dependency_pending"}
    pending_bases = {base_address(a) for a in pending}
    references = _references(doc)
    out = []
    for rc in doc.get("resource_changes", []):
        change = rc.get("change") or {}
        actions = change.get("actions") or []
        if rc.get("mode") == "data" or actions in (["no-op"], ["read"]):
            continue
        before, after = change.get("before") or {}, change.get("after") or {}
        unknown = change.get("after_unknown") or {}
        differing, why = [], {}
        reads = references.get(base_address(rc["address"]), {})
        for key in sorted(set(before) | set(after) | {k for k, v in unknown.items() if v is True}):
            if unknown.get(key) is True:
                if before.get(key) == after.get(key) and key in after:
                    continue
                differing.append(key)
                sources = sorted(r for r in reads.get(key, ()) if r in pending_bases)
                if sources and isinstance(before.get(key), str) and _is_json(before[key]):
                    why[key] = f"re-read from {', '.join(sources)} at apply (pending dependency)"
            elif before.get(key) != after.get(key):
                differing.append(key)
                if _json_equal(before.get(key), after.get(key)):
                    why[key] = RESERIALIZED
        out.append({"address": rc["address"], "actions": actions, "attributes": differing, "why": why,
                    "equivalent": actions == ["update"] and bool(differing) and set(why) == set(differing)})
    # A re-read is no change only when what made it pending is itself a re-serialization: some resource's.
    reserialized = any(w == RESERIALIZED for item in out for w in item["why"].values())
    if not reserialized:
        for item in out:
            item["why"] = {k: w for k, w in item["why"].items() if w == RESERIALIZED}
            item["equivalent"] = item["equivalent"] and set(item["why"]) == set(item["attributes"])
    return out


def _references(doc: dict) -> dict[str, dict[str, set[str]]]:
    """Base address -> attribute -> the base addresses its expression references (the configuration section)."""
    out: dict[str, dict[str, set[str]]] = {}

    def walk(module: Any, prefix: str) -> None:
        if not isinstance(module, dict):
            return
        for res in module.get("resources") or []:
            if isinstance(res, dict) and isinstance(res.get("address"), str):
                out[prefix + res["address"]] = {  # a nested block's expressions are a list: set, no references
                    key: {prefix + r for r in (expr.get("references") or []) if isinstance(r, str)}
                    if isinstance(expr, dict) else set() for key, expr in (res.get("expressions") or {}).items()}
        for name, call in (module.get("module_calls") or {}).items():
            if isinstance(call, dict):
                walk(call.get("module"), f"{prefix}module.{name}.")

    walk((doc.get("configuration") or {}).get("root_module"), "")
    return out  # tofu lists a reference both as `data.x.y.json` and as the block `data.x.y`


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (TypeError, json.JSONDecodeError):
        return False
    return True


def _json_equal(a: Any, b: Any) -> bool:
    if not (isinstance(a, str) and isinstance(b, str)):
        return False
    try:
        return json.loads(a) == json.loads(b)
    except json.JSONDecodeError:
        return False
