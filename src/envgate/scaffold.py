"""`envgate init`: a starting contract inferred from an existing repository, for its team to review.

It finds the stack directory, the environments (workspace var files `environments/<env>.tfvars`, or
per-environment directories `environments/<env>/terraform.tfvars` with a backend file), binds the contract's
fields to the stack's variables by their names, evaluates every environment (envgate.sources.hcl) and infers
the naming template, the tags, the secrets path and the per-environment values from what the configuration
really does. Whatever it cannot infer is a `# TODO` line in the file, never a guess.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from envgate.errors import EnvgateError
from envgate.findings import MISSING
from envgate.registry import load_rules
from envgate.resource import Resource
from envgate.sources import hcl

STACK_DIRS = ("terraform", "infra", "infrastructure", "tf", ".")
BACKEND_SUFFIXES = (".hcl", ".tfbackend")
# Contract field -> how its stack variable is usually called (regular expressions over the variable name).
FIELD_VARIABLES = {
    "name": r"^(environment|env|stage|environment_name)$",
    "prefix": r"prefix",
    "log_level": r"log_level",
    "log_retention_days": r"retention",
    "api.throttle_burst_limit": r"burst",
    "api.throttle_rate_limit": r"rate_limit|throttle_rate",
    "api.quota_limit": r"quota",
    "deletion_protection": r"deletion_protection",
    "alarms": r"alarm",
}
NAME_TEMPLATES = ("{project}-{env}-{name}", "{prefix}-{name}", "{env}-{name}", "{project}-{prefix}-{name}")
LOG_GROUP_TEMPLATES = ("/aws/lambda/{stem}{{name}}", "/ecs/{{env}}/{{name}}", "/aws/ecs/{stem}{{name}}")
READ_ONLY_NAMES = ("prod", "production", "prd", "live")


@dataclass
class Env:
    name: str
    var_files: list[str]
    workspace: str | None = None
    backend_config: str | None = None
    values: dict[str, Any] = field(default_factory=dict)        # variable -> value from its var files
    resources: list[Resource] = field(default_factory=list)


@dataclass
class Draft:
    """The inferred contract and what could not be inferred."""

    data: dict[str, Any]
    todos: list[str]

    def text(self) -> str:
        head = ["# envgate contract (format 2), written by `envgate init`: review every value before you rely on it.",
                "# Schema: envgate's schemas/contract.schema.json. Templates take {project}, {env}, {prefix}, "
                "{workspace}."]
        todo = [f"# TODO: {t}" for t in self.todos]
        return "\n".join(head + todo) + "\n" + yaml.safe_dump(self.data, sort_keys=False, width=110)


def find_stack(root: Path) -> str:
    for name in STACK_DIRS:
        directory = root / name
        if directory.is_dir() and any(directory.glob("*.tf")):
            return name
    raise EnvgateError(f"{root}: no stack directory found (looked for *.tf in {', '.join(STACK_DIRS)})")


def find_envs(root: Path, stack: str) -> list[Env]:
    """Environments from their var files: `<env>.tfvars` (a workspace each), or `<env>/terraform.tfvars` with
    a backend file beside it (the default workspace, its own state key)."""
    stack_dir = (root / stack).resolve()
    found: dict[str, Env] = {}
    for path in sorted(root.rglob("*.tfvars")):
        parts = path.relative_to(root).parts
        if any(p.startswith(".") for p in parts) or path.name.endswith(".auto.tfvars"):
            continue
        rel = path.relative_to(root).as_posix()
        if path.name == "terraform.tfvars":
            if path.parent.resolve() == stack_dir:
                continue  # tofu loads it for every environment
            name = path.parent.name
            backends = sorted(p for p in path.parent.iterdir() if p.suffix in BACKEND_SUFFIXES
                              and "key" in p.read_text())
            found[name] = Env(name, [rel], backend_config=backends[0].relative_to(root).as_posix()
                              if backends else None)
        else:
            found[path.stem] = Env(path.stem, [rel], workspace=path.stem)
    if not found:
        raise EnvgateError(f"{root}: no environment var files found (environments/<env>.tfvars or "
                           "environments/<env>/terraform.tfvars)")
    return [found[n] for n in sorted(found)]


BOOLEAN_FIELDS = ("deletion_protection", "alarms")
# Per-environment values a sizing table is made of: each becomes an expectation where it is uniform.
SIZING = (("aws_lambda_function", "memory_size"), ("aws_lambda_function", "timeout"),
          ("aws_lambda_function", "reserved_concurrent_executions"), ("aws_lambda_function", "runtime"),
          ("aws_ecs_task_definition", "cpu"), ("aws_ecs_task_definition", "memory"))


def bind_variables(declared: Mapping[str, str | None], todos: list[str]) -> dict[str, str]:
    """Contract field -> the one variable whose name (and, for switches, bool type) says it carries it."""
    bound = {}
    for contract_field, pattern in FIELD_VARIABLES.items():
        hits = [n for n, kind in sorted(declared.items()) if re.search(pattern, n)
                and (contract_field not in BOOLEAN_FIELDS or kind == "bool")]
        if len(hits) == 1:
            bound[contract_field] = hits[0]
        elif hits:
            todos.append(f"variables.{contract_field}: several variables could carry it ({', '.join(hits)}): "
                         "bind the right one")
    return bound


def scaffold(root: Path) -> Draft:
    root = root.resolve()
    stack = find_stack(root)
    envs = find_envs(root, stack)
    todos: list[str] = []
    raw = hcl.load_raw(root, stack)
    declared = {name: str(b.attrs["type"].value).strip() if "type" in b.attrs else None
                for name, b in raw.variables().items()}
    variables = bind_variables(declared, todos)
    if "name" not in variables:
        raise EnvgateError(f"{stack}: no variable names the environment (environment, env or stage): envgate "
                           "needs one to tell the environments apart")
    auto = [p.relative_to(root).as_posix() for p in [root / stack / "terraform.tfvars",
                                                      *sorted((root / stack).glob("*.auto.tfvars"))] if p.is_file()]
    layouts = [hcl.Layout(root=root, stack=stack, env=e.name, workspace=e.workspace or "default",
                          var_files=(*auto, *e.var_files)) for e in envs]
    evaluated = hcl.evaluate(layouts)
    for e in envs:
        e.resources = [r for r in evaluated[e.name] if r.type not in ("tfvars", "variable")]
        tfvars = next(r for r in evaluated[e.name] if r.type == "tfvars")
        e.values = dict(tfvars.values)
        if e.workspace is None and e.backend_config is None:
            todos.append(f"environments.{e.name}: no workspace and no backend file with a `key`: give it its own "
                         "state (backend_config: FILE or workspace: NAME)")
    project = _project(envs, variables, root, todos)
    prefixes = {e.name: _prefix(e, variables, todos) for e in envs}
    naming = _naming(envs, project, prefixes, todos)
    data: dict[str, Any] = {
        "version": 2, "project": project, "layout": {"stack": stack},
        "variables": {k: v for k, v in variables.items()},
        "naming": naming,
        "tags": _tags(envs, project, prefixes, todos),
        "secrets_path": _secrets_path(envs, project, todos),
        "alarm_topic": None,
        "expectations": _expectations(envs),
        "environments": {e.name: _env_entry(e, variables, prefixes[e.name], todos) for e in envs},
    }
    # A bound field no environment could give a value for would be an error in the contract: unbind it.
    for contract_field in [f for f in data["variables"] if f not in ("name", "prefix")]:
        if all(_dotted(entry, contract_field) is None for entry in data["environments"].values()):
            todos.append(f"variables.{contract_field}: bound to var.{variables[contract_field]}, but no environment "
                         "sets it: left out")
            del data["variables"][contract_field]
    return Draft(data, todos)


def _known(res: Resource, attribute: str) -> Any:
    """The attribute's evaluated value; None when unknown or absent."""
    value = res.get(attribute)
    return None if value is MISSING or res.is_unknown(attribute) else value


def _dotted(entry: Mapping[str, Any], path: str) -> Any:
    node: Any = entry
    for part in path.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def _project(envs: Sequence[Env], variables: Mapping[str, str], root: Path, todos: list[str]) -> str:
    seen = {str(e.values["project"]) for e in envs if isinstance(e.values.get("project"), str)}
    seen |= {str(t) for e in envs for r in e.resources
             if isinstance(t := (r.get("tags_all") if isinstance(r.get("tags_all"), dict) else {}).get("Project"), str)}
    if len(seen) == 1:
        return seen.pop()
    name = re.sub(r"[^a-z0-9-]", "-", root.name.lower()).strip("-") or "project"
    todos.append(f"project: not found in a `project` variable or a Project tag; the directory's name {name!r} is a "
                 "placeholder")
    return name


def _prefix(e: Env, variables: Mapping[str, str], todos: list[str]) -> str:
    value = e.values.get(variables["prefix"]) if "prefix" in variables else None
    if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9]{1,9}", value):
        return value
    if re.fullmatch(r"[a-z][a-z0-9]{1,9}", e.name):
        return e.name
    todos.append(f"environments.{e.name}.prefix: no short prefix found (a variable named *prefix*, or the "
                 "environment's name)")
    return "todo"


def _names(e: Env, attributes: Mapping[str, str]) -> dict[str, list[str]]:
    """Known names per type, read where rule EG001 reads them (`attributes`: its name table)."""
    out: dict[str, list[str]] = {}
    for res in e.resources:
        attribute = attributes.get(res.type)
        if attribute and not res.is_unknown(attribute) and isinstance(name := res.get(attribute), str):
            out.setdefault(res.type, []).append(name)
    return out


def _fill(template: str, project: str, env: str, prefix: str) -> str:
    return template.split("{name}", 1)[0].format(project=project, env=env, prefix=prefix, workspace=env)


def _naming(envs: Sequence[Env], project: str, prefixes: Mapping[str, str], todos: list[str]) -> dict[str, Any]:
    attributes = load_rules().get("EG001").params["name_attributes"]
    names = {e.name: _names(e, attributes) for e in envs}
    general = {e: [n for t, ns in by_type.items() if t != "aws_cloudwatch_log_group" for n in ns]
               for e, by_type in names.items()}
    template = next((t for t in NAME_TEMPLATES if all(general.values()) and all(
        n.startswith(_fill(t, project, e, prefixes[e])) for e in general for n in general[e])), None)
    if template is None:
        todos.append("naming.template: no one template fits every resource name of every environment (tried "
                     + ", ".join(NAME_TEMPLATES) + ")")
        return {"template": NAME_TEMPLATES[0]}
    naming: dict[str, Any] = {"template": template}
    groups = {e: by_type.get("aws_cloudwatch_log_group", []) for e, by_type in names.items()}
    if any(groups.values()):
        stem = template.split("{name}", 1)[0]
        candidates = [t.format(stem=stem) for t in LOG_GROUP_TEMPLATES] + [template]
        used = [c for c in candidates if any(n.startswith(_fill(c, project, e, prefixes[e]))
                                             for e in groups for n in groups[e])]
        unmatched = sorted({n for e in groups for n in groups[e]
                            if not any(n.startswith(_fill(c, project, e, prefixes[e])) for c in used)})
        if unmatched:
            todos.append(f"naming.type_templates.aws_cloudwatch_log_group: no template for {', '.join(unmatched[:3])}")
        if used and used != [template]:
            naming["type_templates"] = {"aws_cloudwatch_log_group": used[0] if len(used) == 1 else used}
    return naming


def _template_of(values: Mapping[str, str], project: str, prefixes: Mapping[str, str]) -> str | None:
    """The one template that renders each environment's value (`{env}`, `{project}`, a literal), or None."""
    for template in ("{env}", "{prefix}", "{project}", "{project}-{env}", "{env}-{project}"):
        if all(v == template.format(env=e, prefix=prefixes[e], project=project) for e, v in values.items()):
            return template
    literal = set(values.values())
    return literal.pop() if len(literal) == 1 else None


def _tags(envs: Sequence[Env], project: str, prefixes: Mapping[str, str], todos: list[str]) -> dict[str, str]:
    tagged = {e.name: [r.get("tags_all") for r in e.resources if isinstance(r.get("tags_all"), dict)] for e in envs}
    if not all(tagged.values()):
        todos.append("tags: no resource with tags in some environment: list the required tags")
        return {"Environment": "{env}"}
    common = set.intersection(*(set(t) for tags in tagged.values() for t in tags))
    out = {}
    for key in sorted(common):
        values = {e: {str(t[key]) for t in tags} for e, tags in tagged.items()}
        if any(len(v) != 1 for v in values.values()):
            continue  # differs between resources (a Name, a Service): not an environment-wide tag
        template = _template_of({e: v.pop() for e, v in values.items()}, project, prefixes)
        if template is None:
            todos.append(f"tags.{key}: its value follows no template across the environments")
        else:
            out[key] = template
    if not out:
        todos.append("tags: no tag carries the same value on every resource of an environment")
        out = {"Environment": "{env}"}
    return out


def _secrets_path(envs: Sequence[Env], project: str, todos: list[str]) -> str:
    names = {e.name: [r.get("name") for r in e.resources if r.type == "aws_secretsmanager_secret"] for e in envs}
    for template in ("{env}/{project}/", "{env}/", "{project}/{env}/"):
        if all(ns and all(isinstance(n, str) and n.startswith(template.format(env=e, project=project)) for n in ns)
               for e, ns in names.items()):
            return template
    if any(names.values()):
        todos.append("secrets_path: the secret names follow none of {env}/{project}/, {env}/, {project}/{env}/")
    return "{env}/{project}/"


def _expectations(envs: Sequence[Env]) -> list[dict[str, Any]]:
    out = []
    for kind, attribute in SIZING:
        rows = {}
        for e in envs:
            known = [_known(r, attribute) for r in e.resources if r.type == kind]
            if not known or None in known or len({repr(v) for v in known}) != 1:
                break
            rows[e.name] = {"equals": known[0]}
        else:
            if rows:
                out.append({"type": kind, "attribute": attribute, "envs": rows})
    return out


def _env_entry(e: Env, variables: Mapping[str, str], prefix: str, todos: list[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"prefix": prefix}
    if e.workspace:
        entry["workspace"] = e.workspace
    if e.backend_config:
        entry["backend_config"] = e.backend_config
    entry["var_files"] = list(e.var_files)

    def value(contract_field: str) -> Any:
        name = variables.get(contract_field)
        return e.values.get(name) if name else None

    if isinstance(level := value("log_level"), str) and level in ("DEBUG", "INFO", "WARNING", "ERROR"):
        entry["log_level"] = level
    retention = value("log_retention_days")
    if retention is None:
        found = {_known(r, "retention_in_days") for r in e.resources if r.type == "aws_cloudwatch_log_group"}
        retention = found.pop() if len(found) == 1 else None
    if isinstance(retention, int):
        entry["log_retention_days"] = retention
    api = {k: value(f"api.{k}") for k in ("throttle_burst_limit", "throttle_rate_limit", "quota_limit")}
    if all(isinstance(v, (int, float)) for v in api.values()):
        entry["api"] = api
    protection = value("deletion_protection")
    if protection is None:
        found = {_known(r, "deletion_protection_enabled") for r in e.resources
                 if r.type in ("aws_dynamodb_table", "aws_dsql_cluster", "aws_db_instance", "aws_rds_cluster")}
        protection = found.pop() if len(found) == 1 else None
    if isinstance(protection, bool):
        entry["deletion_protection"] = protection
    alarms = value("alarms")
    if isinstance(alarms, bool):
        entry["alarms"] = alarms
    entry["read_only"] = e.name in READ_ONLY_NAMES
    if entry["read_only"]:
        todos.append(f"environments.{e.name}.read_only: true because of its name; the live gate only reads it")
    else:
        todos.append(f"environments.{e.name}.read_only: false; set true if it is production")
    return entry


def write(root: Path, force: bool = False) -> tuple[Path, Draft]:
    path = root / "policies" / "contract.yaml"
    if path.exists() and not force:
        raise EnvgateError(f"{path}: a contract is already there (--force overwrites it)")
    draft = scaffold(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(draft.text())
    tmp.replace(path)
    return path, draft
