"""Report writers: findings.json, SARIF 2.1.0 (code scanning) and a Markdown job summary.

The engine returns findings and keeps none: a caller that gates the stack records them (the pytest plugin's
`envgate_record` fixture, the CLI) and writes the reports. Values are never re-read here:
`Finding` redacts sensitive values at construction, and every writer goes through `Finding.to_dict()` or
`Finding.message`, so a sensitive value cannot reach a report.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envgate.errors import EnvgateError
from envgate.findings import MISSING, Finding, Outcome, Raw, render

FORMAT = "envgate-findings/1"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "envgate"
OUTCOMES = (Outcome.PASS, Outcome.FAIL, Outcome.DEFERRED, Outcome.WAIVED)
# GitHub limits a job summary to 1 MiB and a PR comment to 65,536 characters: list at most this many lines.
MAX_LISTED = 100

# --- (de)serialisation ---------------------------------------------------------------------------------


def _key(f: Finding) -> str:
    # The fields of to_dict() that identify a finding, without building the whole dict (64k findings: seconds).
    return json.dumps([f.rule_id, f.gate, f.env, f.address, f.attribute, f.outcome.value, f.file, f.line,
                       render(f.actual), render(f.expected)])


def unique(findings: Iterable[Finding]) -> list[Finding]:
    """Drop repeats (two tests evaluating the same rule for the same environment), keeping the first."""
    seen: set[str] = set()
    out = []
    for f in findings:
        k = _key(f)
        if k not in seen:
            seen.add(k)
            out.append(f)
    return out


def sort_key(f: Finding) -> tuple:
    return (f.env, f.rule_id, ("static", "plan", "live").index(f.gate) if f.gate in ("static", "plan", "live") else 9,
            f.address, f.attribute, f.outcome.value)


def _value(text: str) -> Any:
    return MISSING if text == render(MISSING) else Raw(text)


def finding_from_dict(data: Mapping[str, Any]) -> Finding:
    """Inverse of `Finding.to_dict()`: values come back as their rendered text, so messages are identical."""
    try:
        return Finding(
            rule_id=data["rule_id"], gate=data["gate"], env=data["env"], address=data["address"],
            attribute=data["attribute"], actual=_value(data["actual"]), expected=_value(data["expected"]),
            outcome=Outcome(data["outcome"]), file=data.get("file"), line=data.get("line"),
            sensitive=bool(data.get("sensitive", False)), waiver=data.get("waiver"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise EnvgateError(f"not an envgate finding ({type(exc).__name__}: {exc})") from None


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    c = Counter(f.outcome.value for f in findings)
    return {o.value: c.get(o.value, 0) for o in OUTCOMES}


def verdict(findings: Iterable[Finding]) -> str:
    return "FAIL" if any(f.outcome is Outcome.FAIL for f in findings) else "PASS"


def _write(path: Path | str, text: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def write_json(findings: Iterable[Finding], path: Path | str, *, tests: Mapping[str, int] | None = None,
               attribution: Sequence[str | None] | None = None) -> Path:
    """findings.json: {"format", "verdict", "counts", "tests", "findings": [Finding.to_dict() + "test"]}.

    attribution: the pytest node id that recorded each finding (parallel to `findings`), if known.
    """
    items = list(findings)
    nodeids = list(attribution or [])
    rows = []
    for i, f in enumerate(items):
        row = f.to_dict()
        row["test"] = nodeids[i] if i < len(nodeids) else None
        rows.append(row)
    doc = {"format": FORMAT, "verdict": verdict(items), "counts": counts(items), "tests": dict(tests or {}),
           "findings": rows}
    return _write(path, json.dumps(doc, indent=2, sort_keys=False, default=str) + "\n")


@dataclass
class Report:
    """A findings.json in memory: the findings, the recording test of each, and the pytest outcome counts."""

    findings: list[Finding] = field(default_factory=list)
    nodeids: list[str | None] = field(default_factory=list)
    tests: dict[str, int] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        failed = self.tests.get("failed", 0) + self.tests.get("error", 0)
        return "FAIL" if failed or verdict(self.findings) == "FAIL" else "PASS"


def merge(reports: Iterable[Report]) -> Report:
    """One report from several (xdist workers, gate tiers): findings de-duplicated, test counts added."""
    out = Report()
    seen: set[str] = set()
    for rep in reports:
        for i, f in enumerate(rep.findings):
            k = _key(f)
            if k in seen:
                continue
            seen.add(k)
            out.findings.append(f)
            out.nodeids.append(rep.nodeids[i] if i < len(rep.nodeids) else None)
        for name, n in rep.tests.items():
            out.tests[name] = out.tests.get(name, 0) + n
    return out


def read_json(path: Path | str) -> Report:
    """A findings.json (or a worker's findings-<id>.json) back into memory."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EnvgateError(f"{path}: cannot read findings: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise EnvgateError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise EnvgateError(f"{path}: not an envgate findings file (expected \"format\": \"{FORMAT}\")")
    rep = Report(tests={k: int(v) for k, v in (doc.get("tests") or {}).items()})
    for i, row in enumerate(doc.get("findings") or []):
        try:
            rep.findings.append(finding_from_dict(row))
        except EnvgateError as exc:
            raise EnvgateError(f"{path}: findings[{i}]: {exc}") from None
        rep.nodeids.append(row.get("test"))
    return rep


# --- SARIF ---------------------------------------------------------------------------------------------


# Findings the engine makes itself, outside policies/rules.yaml (envgate.waivers.WAIVER_RULE).
BUILTIN_RULES = {
    "WAIVER": {"id": "WAIVER", "title": "Waivers are current and still needed", "severity": "high",
               "rationale": "An exception must not outlive its reason or the defect it excuses.",
               "remediation": "Renew the waiver in policies/waivers.yaml (new expires, owner, reason) or remove it.",
               "gates": ["static", "plan", "live"]},
}


def rule_meta(rules: Any) -> dict[str, dict[str, Any]]:
    """Rule metadata by id from a registry.RuleCatalogue, a list of RuleMeta, or a list of dicts."""
    if rules is None:
        return dict(BUILTIN_RULES)
    items = getattr(rules, "rules", rules)
    meta = dict(BUILTIN_RULES)
    for r in items:
        d = r if isinstance(r, Mapping) else (r.model_dump() if hasattr(r, "model_dump") else vars(r))
        meta[d["id"]] = dict(d)
    return meta


@functools.lru_cache(maxsize=64)
def _var_file(env: str) -> str:
    """The environment's own var file from the contract (where a finding without a location points)."""
    from envgate.contract import load_contract

    try:
        return load_contract().env(env).tfvars
    except EnvgateError:  # no readable contract, or an environment it lacks: the workspace layout's name
        return f"environments/{env}.tfvars"


def _uri(file: str | None, env: str) -> str:
    """A repo-relative URI: GitHub code scanning needs a location, so live findings point at the var file."""
    if not file:
        return _var_file(env)
    path = Path(file)
    if path.is_absolute():
        from envgate.paths import repo_root

        try:
            path = path.resolve().relative_to(repo_root())
        except ValueError:
            pass
    return path.as_posix().removeprefix("./")


def _fingerprint(f: Finding) -> str:
    ident = "|".join([f.rule_id, f.gate, f.env, f.address, f.attribute])
    return hashlib.sha256(ident.encode()).hexdigest()[:32]


def sarif(findings: Iterable[Finding], rules: Any = None) -> dict[str, Any]:
    """The SARIF 2.1.0 log: one rule per rule id (with its metadata), results for FAIL/DEFERRED/WAIVED."""
    items = sorted(unique(findings), key=sort_key)
    meta = rule_meta(rules)
    ids = sorted((set(meta) - set(BUILTIN_RULES)) | {f.rule_id for f in items})
    index = {rid: i for i, rid in enumerate(ids)}
    sarif_rules = []
    for rid in ids:
        m = meta.get(rid, {})
        rule: dict[str, Any] = {"id": rid, "name": rid, "shortDescription": {"text": m.get("title") or rid}}
        if m.get("rationale"):
            rule["fullDescription"] = {"text": m["rationale"]}
        if m.get("remediation"):
            rule["help"] = {"text": m["remediation"], "markdown": m["remediation"]}
        props = {k: m[k] for k in ("severity", "rationale", "gates") if m.get(k) is not None}
        props["tags"] = ["environment-contract", *(f"gate:{g}" for g in m.get("gates") or [])]
        rule["properties"] = props
        rule["defaultConfiguration"] = {"level": "error"}
        sarif_rules.append(rule)

    results = []
    for f in items:
        if f.outcome is Outcome.PASS:
            continue
        result: dict[str, Any] = {
            "ruleId": f.rule_id,
            "ruleIndex": index[f.rule_id],
            "level": "note" if f.outcome is Outcome.DEFERRED else "error",
            "message": {"text": f"[{f.gate}] {f.message}"},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(f.file, f.env), "uriBaseId": "%SRCROOT%"},
                    **({"region": {"startLine": int(f.line)}} if f.file and f.line else {}),
                },
                "logicalLocations": [{"fullyQualifiedName": f"{f.env}:{f.address}", "name": f.address,
                                      "kind": "resource"}],
            }],
            "partialFingerprints": {"envgateFinding/v1": _fingerprint(f)},
            "properties": {"env": f.env, "gate": f.gate, "attribute": f.attribute, "outcome": f.outcome.value,
                           "sensitive": f.sensitive},
        }
        if f.outcome is Outcome.WAIVED:
            result["suppressions"] = [{"kind": "external", "status": "accepted",
                                       "justification": f.waiver or "waived in policies/waivers.yaml"}]
        results.append(result)

    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": TOOL_NAME, "version": _version(), "rules": sarif_rules}},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The repository root."}}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("envgate")
    except Exception:  # noqa: BLE001 - not installed (running from a source tree)
        return "0"


def write_sarif(findings: Iterable[Finding], rules: Any, path: Path | str) -> Path:
    return _write(path, json.dumps(sarif(findings, rules), indent=2) + "\n")


# --- Markdown ------------------------------------------------------------------------------------------


def _cell(text: Any) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    """An inline code span that survives backticks inside `text`."""
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def table(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Rows (env, rule, pass, fail, deferred, waived, verdict) per environment × rule, sorted."""
    cells: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for f in findings:
        cells[f.env, f.rule_id][f.outcome.value] += 1
    rows = []
    for (env, rule), c in sorted(cells.items()):
        row = {"env": env, "rule": rule, **{o.value.lower(): c.get(o.value, 0) for o in OUTCOMES}}
        row["verdict"] = "FAIL" if row["fail"] else "PASS"
        rows.append(row)
    return rows


def markdown(findings: Iterable[Finding], *, title: str = "envgate", rules: Any = None,
             tests: Mapping[str, int] | None = None) -> str:
    items = sorted(unique(findings), key=sort_key)
    meta = rule_meta(rules)
    total = counts(items)
    failed_tests = (tests or {}).get("failed", 0) + (tests or {}).get("error", 0)
    overall = "FAIL" if total["FAIL"] or failed_tests else "PASS"
    icon = "❌" if overall == "FAIL" else "✅"
    lines = [f"## {icon} {title}: {overall}", ""]
    summary = ", ".join(f"{n} {o.lower()}" for o, n in total.items())
    lines.append(f"{len(items)} findings: {summary}.")
    if tests:
        lines.append("Tests: " + ", ".join(f"{n} {k}" for k, n in tests.items() if n) + ".")
    lines.append("")
    if items:
        lines += ["| Environment | Rule | Title | Pass | Fail | Deferred | Waived | Verdict |",
                  "|---|---|---|--:|--:|--:|--:|---|"]
        for r in table(items):
            title_text = meta.get(r["rule"], {}).get("title", "")
            mark = "❌ FAIL" if r["verdict"] == "FAIL" else "✅ PASS"
            lines.append(f"| {_cell(r['env'])} | {_cell(r['rule'])} | {_cell(title_text)} | {r['pass']} | "
                         f"{r['fail']} | {r['deferred']} | {r['waived']} | {mark} |")
        lines.append("")
    else:
        lines += ["No findings were recorded.", ""]

    def listing(heading: str, selected: list[Finding], extra=lambda f: "") -> None:
        if not selected:
            return
        lines.extend([f"### {heading} ({len(selected)})", ""])
        for f in selected[:MAX_LISTED]:
            lines.append(f"- **{f.rule_id}** [{f.gate}] {_code(f.message)}{extra(f)}")
        if len(selected) > MAX_LISTED:
            lines.append(f"- … and {len(selected) - MAX_LISTED} more (see findings.json)")
        lines.append("")

    listing("Failures", [f for f in items if f.outcome is Outcome.FAIL])
    listing("Deferred at plan, with their live verdict", [f for f in items if f.rule_id == "SETTLE"])
    listing("Waived", [f for f in items if f.outcome is Outcome.WAIVED],
            lambda f: f" (waiver: {_cell(f.waiver)})" if f.waiver else "")
    return "\n".join(lines)


def write_markdown(findings: Iterable[Finding], path: Path | str, *, title: str = "envgate", rules: Any = None,
                   tests: Mapping[str, int] | None = None) -> Path:
    return _write(path, markdown(findings, title=title, rules=rules, tests=tests) + "\n")


# --- everything at once --------------------------------------------------------------------------------


def load_rules_or_none():
    """The rule catalogue, or None when policies/rules.yaml cannot be loaded (reports still get written)."""
    try:
        from envgate.registry import load_rules

        return load_rules()
    except Exception:  # noqa: BLE001 - a broken catalogue fails its own tests; reports must not crash
        return None


def write_report(rep: Report, directory: Path | str, *, title: str = "envgate", rules: Any = None) -> dict[str, Path]:
    """DIR/findings.json, DIR/envgate.sarif and DIR/summary.md for one (merged) report."""
    directory = Path(directory)
    rules = rules if rules is not None else load_rules_or_none()
    pairs = sorted(zip(rep.findings, rep.nodeids + [None] * (len(rep.findings) - len(rep.nodeids))),
                   key=lambda p: sort_key(p[0]))
    rep = Report([f for f, _ in pairs], [t for _, t in pairs], dict(rep.tests))
    return {
        "json": write_json(rep.findings, directory / "findings.json", tests=rep.tests, attribution=rep.nodeids),
        "sarif": write_sarif(rep.findings, rules, directory / "envgate.sarif"),
        "markdown": write_markdown(rep.findings, directory / "summary.md", title=title, rules=rules,
                                   tests=rep.tests),
    }
