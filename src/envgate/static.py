"""Static gate: the contract checked on the HCL itself (terraform/*.tf) and each environment's tfvars file.

Code checks are about wiring (the attribute reads the right variable/local); tfvars checks are about
values (the file sets what the contract says). Together they prove the planned value before any plan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envgate.errors import EnvgateError
from envgate.findings import MISSING, Finding, Outcome, Raw, same
from envgate.hclsource import Attr, Block, Expr, HclFile, load
from envgate.paths import shown
from envgate.registry import CheckContext, check

TF_DIR = "terraform"
TFVARS_DIR = "environments"
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class StaticProject:
    root: Path
    tf_files: tuple[HclFile, ...]
    tfvars_files: tuple[HclFile, ...]

    def blocks(self, kind: str) -> Iterator[Block]:
        for f in self.tf_files:
            yield from f.of_kind(kind)

    def resources(self, types: Iterable[str] | None = None) -> list[Block]:
        wanted = None if types is None else set(types)
        return [b for b in self.blocks("resource") if wanted is None or b.type in wanted]

    def local(self, name: str) -> tuple[Attr | None, Block | None]:
        for block in self.blocks("locals"):
            if name in block.attrs:
                return block.attrs[name], block
        return None, None

    def variable(self, name: str) -> Block | None:
        return next((b for b in self.blocks("variable") if b.labels == (name,)), None)

    def tfvars(self, relpath: str) -> HclFile | None:
        return next((f for f in self.tfvars_files if f.path == relpath), None)


def load_project(root: Path) -> StaticProject:
    root = root.resolve()
    if not (root / TF_DIR).is_dir():
        raise EnvgateError(f"{shown(root)}: no {TF_DIR}/ directory (pass the repository root)")

    def parsed(pattern: str) -> tuple[HclFile, ...]:
        return tuple(load(p, p.relative_to(root).as_posix()) for p in sorted(root.glob(pattern)))

    tf_files, tfvars_files = parsed(f"{TF_DIR}/*.tf"), parsed(f"{TFVARS_DIR}/*.tfvars")
    empty = next((f.path for f in tfvars_files if not f.attrs and not f.blocks), None)
    if empty:  # one line, not a FAIL for every variable the environment should set
        raise EnvgateError(f"{empty}: empty tfvars file: it sets none of the environment's variables")
    return StaticProject(root=root, tf_files=tf_files, tfvars_files=tfvars_files)


def source_locations(root: Path) -> dict[str, tuple[str, int]]:
    """Resource address -> (file, line) of its block: lets the plan/live normalizers point findings at code."""
    project = load_project(root)
    return {b.address: (b.file, b.line) for kind in ("resource", "data") for b in project.blocks(kind)}


# --- shared helpers ------------------------------------------------------------------------------------------

def _var(ctx: CheckContext, field: str) -> Expr:
    return Expr(f"var.{ctx.contract.variable(field)}")


def _local(name: str) -> Expr:
    return Expr(f"local.{name}")


def _tfvars_values(project: StaticProject, ctx: CheckContext, fields: Iterable[str]) -> Iterator[Finding]:
    """The environment's tfvars file sets each contract field to the contract's value."""
    tfvars = project.tfvars(ctx.spec.tfvars)
    if tfvars is None:
        return  # EG009 reports the missing file once
    for field in fields:
        name = ctx.contract.variable(field)
        attr = tfvars.attrs.get(name)
        actual = attr.value if attr else MISSING
        expected = ctx.env if field == "name" else ctx.spec.value(field)
        yield ctx.verdict(same(actual, expected), "tfvars", name, actual, expected, file=tfvars.path,
                          line=attr.line if attr else None)


def _wired(ctx: CheckContext, block: Block, path: str, expected: Expr) -> Finding:
    """The attribute at `path` is exactly the expression `expected` (a variable, not a literal)."""
    attr, holder = block.find(path)
    actual = attr.value if attr else MISSING
    return ctx.verdict(actual == expected, block.address, path, actual, expected, file=block.file,
                       line=attr.line if attr else holder.line)


def _starts_with(ctx: CheckContext, block: Block, attribute: str, stem: str) -> Finding:
    attr = block.attrs.get(attribute)
    actual = attr.value if attr else MISSING
    ok = isinstance(actual, str) and not isinstance(actual, Expr) and actual.startswith(stem)
    return ctx.verdict(ok, block.address, attribute, actual, Raw(f'a name starting with "{stem}"'),
                       file=block.file, line=attr.line if attr else block.line)


def _resolve(value: Any, project: StaticProject, ctx: CheckContext, depth: int = 0) -> Any:
    """The value an expression has for this environment, for the few forms the conventions use; else MISSING."""
    if depth > 8:  # locals that refer to each other in a cycle
        return MISSING
    if isinstance(value, Expr):
        kind, _, name = str(value).partition(".")
        if value == Expr("terraform.workspace"):
            return ctx.spec.workspace
        if kind == "var" and name.isidentifier():
            tfvars = project.tfvars(ctx.spec.tfvars)
            if tfvars and name in tfvars.attrs:
                return tfvars.attrs[name].value
            variable = project.variable(name)
            return variable.attrs["default"].value if variable and "default" in variable.attrs else MISSING
        if kind == "local" and name.isidentifier():
            attr, _ = project.local(name)
            return _resolve(attr.value, project, ctx, depth + 1) if attr else MISSING
        return MISSING
    if isinstance(value, str) and "${" in value:
        parts = re.split(r"\$\{([^{}]*)\}", value)
        for i in range(1, len(parts), 2):
            resolved = _resolve(Expr(parts[i]), project, ctx, depth + 1)
            if resolved is MISSING:
                return MISSING
            parts[i] = str(resolved)
        return "".join(parts)
    return value


# --- EG001 names ---------------------------------------------------------------------------------------------

def name_stem(ctx: CheckContext, resource_type: str, prefix: str) -> str:
    template = ctx.param("name_starts", {}).get(resource_type, "{prefix}-")
    return template.format(prefix=prefix)


@check("EG001", "static")
def names_use_prefix_local(project: StaticProject, ctx: CheckContext) -> Iterator[Finding]:
    local = ctx.contract.naming.name_prefix_local
    attr, block = project.local(local)
    expected = _var(ctx, "prefix")
    yield ctx.verdict(attr is not None and attr.value == expected, f"local.{local}", "value",
                      attr.value if attr else MISSING, expected, file=block.file if block else None,
                      line=attr.line if attr else None)
    name_attributes: dict[str, str] = ctx.param("name_attributes")
    for res in project.resources(name_attributes):
        yield _starts_with(ctx, res, name_attributes[res.type], name_stem(ctx, res.type, f"${{local.{local}}}"))


# --- EG002 tags ----------------------------------------------------------------------------------------------

@check("EG002", "static")
def tags_from_common_tags(project: StaticProject, ctx: CheckContext) -> Iterator[Finding]:
    local = ctx.contract.naming.common_tags_local
    common = _local(local)
    attr, block = project.local(local)
    for key, expected in ctx.spec.tags.items():
        raw = attr.value.get(key, MISSING) if attr and isinstance(attr.value, dict) else MISSING
        actual = _resolve(raw, project, ctx) if raw is not MISSING else MISSING
        # An expression the gate cannot resolve fails, shown as written.
        yield ctx.verdict(same(actual, expected), f"local.{local}", key, raw if actual is MISSING else actual,
                          expected, file=block.file if block else None, line=attr.line_of(key) if attr else None)
    providers = [p for p in project.blocks("provider") if p.labels[:1] == ("aws",)]
    if not providers:
        yield ctx.verdict(False, "provider.aws", "default_tags[0].tags", MISSING, common)
    for provider in providers:
        yield _wired(ctx, provider, "default_tags[0].tags", common)
    overriding = re.compile(r'"?\b(' + "|".join(map(re.escape, ctx.spec.tags)) + r')\b"?\s*=')
    taggable = set(ctx.rule.resource_types)
    for res in project.resources():
        tags = res.attrs.get("tags")
        if tags is None and res.type not in taggable:
            continue
        value = tags.value if tags else MISSING
        text = str(value) if isinstance(value, Expr) else ""
        merged = text.startswith(f"merge({common},") and not overriding.search(text[len(f"merge({common},"):])
        yield ctx.verdict(value == common or merged, res.address, "tags", value,
                          Raw(f"{common} or merge({common}, {{...}}) without overriding its keys"),
                          file=res.file, line=tags.line if tags else res.line)


# --- EG003-EG006, EG011: variables wired in code, values in tfvars -------------------------------------------

@check("EG003", "static")
def log_retention_wired(project: StaticProject, ctx: CheckContext) -> Iterator[Finding]:
    for res in project.resources(ctx.rule.resource_types):
        yield _wired(ctx, res, "retention_in_days", _var(ctx, "log_retention_days"))
    yield from _tfvars_values(project, ctx, ["log_retention_days"])


USAGE_PLAN_LIMITS = {"throttle_settings[0].burst_limit": "api.throttle_burst_limit",
                     "throttle_settings[0].rate_limit": "api.throttle_rate_limit",
                     "quota_settings[0].limit": "api.quota_limit"}


@check("EG004", "static")
def api_limits_wired(project: StaticProject, ctx: CheckContext) -> Iterator[Finding]:
    plans = project.resources(ctx.rule.resource_types)
    apis = project.resources(["aws_api_gateway_rest_api"])
    if apis and not plans:
        yield ctx.verdict(False, "aws_api_gateway_usage_plan", "count", 0, Raw("at least 1 for the REST API"),
                          file=apis[0].file, line=apis[0].line)
    for res in plans:
        for path, field in USAGE_PLAN_LIMITS.items():
            yield _wired(ctx, res, path, _var(ctx, field))
    yield from _tfvars_values(project, ctx, USAGE_PLAN_LIMITS.values())


@check("EG005", "static")
def deletion_protection_wired(project: StaticProject, ctx: CheckContext) -> Iterator[Finding]:
    for res in project.resources(ctx.rule.resource_types):
        yield _wired(ctx, res, "deletion_protection_enabled", _var(ctx, "deletion_protection"))
    yield from _tfvars_values(project, ctx, ["deletion_protection"])


def is_ops_topic(ctx: CheckContext, name: Any, prefix: str) -> bool:
    return isinstance(name, str) and name == f"{prefix}{ctx.param('ops_topic_suffix')}"


@check("EG006", "static")
def alarms_follow_switch(project: StaticProject, ctx: CheckContext) -> Iterator[Finding]:
    expected = Expr(f"{_var(ctx, 'alarms')} ? 1 : 0")
    prefix = f"${{local.{ctx.contract.naming.name_prefix_local}}}"
    for res in project.resources(ctx.rule.resource_types):
        name = res.attrs["name"].value if "name" in res.attrs else None
        if res.type == "aws_sns_topic" and not is_ops_topic(ctx, name, prefix):
            continue
        attr = res.attrs.get("count")
        actual = attr.value if attr else MISSING
        if isinstance(actual, Expr):
            actual = Expr(" ".join(actual.split()))  # spacing inside the conditional does not matter
        yield ctx.verdict(actual == expected, res.address, "count", actual, expected, file=res.file,
                          line=attr.line if attr else res.line)
    yield from _tfvars_values(project, ctx, ["alarms"])


@check("EG011", "static")
def log_level_wired(project: StaticProject, ctx: CheckContext) -> Iterator[Finding]:
    expected = _var(ctx, "log_level")
    for res in project.resources(ctx.rule.resource_types):
        attr, _ = res.find("environment[0].variables")
        variables = attr.value if attr and isinstance(attr.value, dict) else {}
        actual = variables.get("LOG_LEVEL", MISSING)
        yield ctx.verdict(actual == expected, res.address, "environment[0].variables.LOG_LEVEL", actual, expected,
                          file=res.file, line=attr.line_of("LOG_LEVEL") if attr else res.line)
    yield from _tfvars_values(project, ctx, ["log_level"])


# --- EG007 isolation -----------------------------------------------------------------------------------------

def foreign_words(text: str, forbidden: dict[str, str]) -> list[str]:
    """The forbidden words in `text`, as whole lowercase words ("stag" matches "stag-x", not "stage")."""
    return sorted({w for w in _WORD.findall(text.lower()) if w in forbidden})


def isolation_expected(words: Iterable[str], forbidden: dict[str, str]) -> Raw:
    named = ", ".join(f'"{w}" is {forbidden[w]}' for w in words)
    return Raw(f"no reference to another environment ({named})" if named else "no reference to another environment")


@check("EG007", "static")
def no_foreign_literals(project: StaticProject, ctx: CheckContext) -> Iterator[Finding]:
    forbidden = ctx.contract.forbidden_words(ctx.env)
    clean = Raw("free of other environments' names")
    for tf in project.tf_files:
        for block in tf.blocks:
            hits = 0
            for path, attr in block.walk_attrs():
                if block.kind == "variable" and path.startswith("validation["):
                    continue  # validations list every environment on purpose
                for sub, text, line in attr.literals:
                    words = foreign_words(text, forbidden)
                    if words:
                        hits += 1
                        value = attr.value.get(sub[1:], text) if sub and isinstance(attr.value, dict) else attr.value
                        actual = value if isinstance(value, str) and not isinstance(value, Expr) else text
                        yield ctx.verdict(False, block.address, f"{path}{sub}", actual,
                                          isolation_expected(words, forbidden), file=block.file, line=line)
            if not hits:
                yield ctx.verdict(True, block.address, "literals", clean, isolation_expected([], forbidden),
                                  file=block.file, line=block.line)
    tfvars = project.tfvars(ctx.spec.tfvars)
    if tfvars is None:
        return
    for name, attr in tfvars.attrs.items():
        words = sorted({w for _, text, _ in attr.literals for w in foreign_words(text, forbidden)})
        yield ctx.verdict(not words, "tfvars", name, attr.value, isolation_expected(words, forbidden),
                          file=tfvars.path, line=attr.line)


# --- EG009 / EG010 tfvars and workspace ----------------------------------------------------------------------

@check("EG009", "static")
def tfvars_match_contract(project: StaticProject, ctx: CheckContext) -> Iterator[Finding]:
    tfvars = project.tfvars(ctx.spec.tfvars)
    if tfvars is None:
        yield ctx.verdict(False, "tfvars", "file", MISSING, ctx.spec.tfvars)
        return
    yield from _tfvars_values(project, ctx, ["name", "prefix"])
    declared = {b.labels[0] for b in project.blocks("variable") if b.labels}
    for name, attr in tfvars.attrs.items():
        if declared and name not in declared:
            yield ctx.verdict(False, "tfvars", name, attr.value, Raw(f"a variable declared in {TF_DIR}/"),
                              file=tfvars.path, line=attr.line)
    known = {spec.tfvars for spec in ctx.contract.environments.values()}
    for orphan in project.tfvars_files:
        if orphan.path not in known:
            # Reported under the file's own name: it has no environment of its own in the contract.
            yield Finding(rule_id=ctx.rule.id, gate=ctx.gate, env=Path(orphan.path).stem, address="tfvars",
                          attribute="contract entry", actual=MISSING,
                          expected=Raw("an entry under environments: in policies/contract.yaml"),
                          outcome=Outcome.FAIL, file=orphan.path)


@check("EG010", "static")
def workspace_bound_to_environment(project: StaticProject, ctx: CheckContext) -> Iterator[Finding]:
    name_var = ctx.contract.variable("name")
    expected = Expr(f"terraform.workspace == var.{name_var}")
    variable = project.variable(name_var)
    conditions = [v.attrs["condition"] for v in (variable.nested("validation") if variable else [])
                  if "condition" in v.attrs]
    bound = next((c for c in conditions if c.value in (expected, Expr(f"var.{name_var} == terraform.workspace"))),
                 None)
    shown_attr = bound or (conditions[0] if conditions else None)
    yield ctx.verdict(bound is not None, f"var.{name_var}", "validation[*].condition",
                      shown_attr.value if shown_attr else MISSING, expected,
                      file=variable.file if variable else None,
                      line=(shown_attr or variable).line if variable else None)
    tfvars = project.tfvars(ctx.spec.tfvars)
    attr = tfvars.attrs.get(name_var) if tfvars else None
    if tfvars is not None and attr is not None:
        yield ctx.verdict(same(attr.value, ctx.spec.workspace), "tfvars", name_var, attr.value,
                          Raw(f'"{ctx.spec.workspace}" (the workspace of {ctx.env})'), file=tfvars.path,
                          line=attr.line)


# --- EG012 secrets path --------------------------------------------------------------------------------------

@check("EG012", "static")
def secrets_under_environment_path(project: StaticProject, ctx: CheckContext) -> Iterator[Finding]:
    stem = ctx.contract.naming.secrets_path.format(environment=f"${{var.{ctx.contract.variable('name')}}}")
    for res in project.resources(ctx.rule.resource_types):
        yield _starts_with(ctx, res, "name", stem)
