"""The environment contract (policies/contract.yaml, format 2): the one declarative source every gate checks.

Format 2 says, without Python: where the stack is (`layout.stack`) and how each environment is selected
(a workspace, or the default workspace with its own `-backend-config` file and state key; var files); how names start (`naming.template`, per-type `naming.type_templates`, types
`naming.exempt` with a reason, name attributes beyond the built-in table); the required tags with
per-environment templates (`tags`); the secrets path template; the isolation words; per-environment values of
the built-in rules; and `expectations`: assertions on any resource type and attribute per environment
(equals, one_of, min, max, regex, present), so a sizing table is pure data (rule EG014).

Templates take {project}, {env}, {prefix} and {workspace}. A version 1 contract is refused with one line
naming `envgate contract migrate`, which rewrites it as version 2 (`migrate_v1`).
`python -m envgate.contract` rewrites schemas/contract.schema.json from the model (a test keeps them in sync).
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import hcl2
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from envgate.errors import EnvgateError
from envgate.paths import policies_dir, shown
from envgate.yamlio import FieldError, load_yaml, validation_message

# CloudWatch Logs PutRetentionPolicy accepts exactly these values (days).
CLOUDWATCH_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                             2557, 2922, 3288, 3653)
SCHEMA_PATH = Path(__file__).parent / "schemas" / "contract.schema.json"
VERSION = 2
TEMPLATE_FIELDS = {"project", "env", "prefix", "workspace"}

# Contract fields an environment's var files must set; `variables:` binds each to a stack input variable.
TfvarsField = Literal["name", "prefix", "log_level", "log_retention_days", "api.throttle_burst_limit",
                      "api.throttle_rate_limit", "api.quota_limit", "deletion_protection", "alarms"]

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)


def _template(value: str, *, name: bool = False) -> str:
    fields = {f for _, f, _, _ in string.Formatter().parse(value) if f is not None}
    unknown = fields - TEMPLATE_FIELDS - ({"name"} if name else set())
    if unknown:
        raise PydanticCustomError("template", "unknown placeholder(s) {names} (use {allowed})",
                                  {"names": ", ".join(sorted(unknown)),
                                   "allowed": ", ".join(sorted(TEMPLATE_FIELDS | ({"name"} if name else set())))})
    if name and "name" not in fields:
        raise PydanticCustomError("template", "a name template needs {placeholder} (the part each resource chooses)",
                                  {"placeholder": "{name}"})
    return value


class ApiLimits(BaseModel):
    model_config = _STRICT

    throttle_burst_limit: int = Field(ge=0, description="Usage plan throttle burst limit (requests).")
    throttle_rate_limit: float = Field(gt=0, description="Usage plan steady rate (requests/second).")
    quota_limit: int = Field(ge=1, description="Usage plan quota (requests per period).")


class Layout(BaseModel):
    model_config = _STRICT

    stack: str = Field("terraform", description="The root module's directory, relative to the repository.")
    state_key: str = Field("{project}/terraform.tfstate", description="The S3 backend's `key` when an environment's "
                           "backend_config does not set one (template).")


class EnvironmentContract(BaseModel):
    model_config = _STRICT

    prefix: str = Field(pattern=r"^[a-z][a-z0-9]{1,9}$",
                        description="Short lowercase prefix of the environment ({prefix} in templates).")
    workspace: str | None = Field(None, pattern=r"^[a-z][a-z0-9-]*$", description="OpenTofu workspace of the "
                                  "environment; none: the default workspace, its state chosen by backend_config.")
    backend_config: str | None = Field(None, pattern=r"\.(hcl|tfbackend)$", description="Repo-relative "
                                       "-backend-config file giving the environment its own state key.")
    var_files: Annotated[list[Annotated[str, Field(pattern=r"\.tfvars(\.json)?$")]], Field(
        min_length=1, description="Repo-relative var files, applied in this order after terraform.tfvars and "
                                  "*.auto.tfvars; the last one is the environment's own.")]
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] | None = Field(
        None, description="LOG_LEVEL of the Lambda functions; none: not checked.")
    log_retention_days: int | None = Field(None, json_schema_extra={"enum": list(CLOUDWATCH_RETENTION_DAYS)},
                                           description="Retention of every log group (days); none: not checked.")
    api: ApiLimits | None = Field(None, description="API Gateway usage plan limits; none: not checked.")
    deletion_protection: bool | None = Field(None, description="Deletion protection of the data stores; none: "
                                             "not checked.")
    alarms: bool | None = Field(None, description="CloudWatch alarms (and the alarms' topic) exist; none: not "
                                "checked.")
    read_only: bool = Field(description="The live gate must never mutate this environment.")
    account_id: str | None = Field(None, pattern=r"^[0-9]{12}$", description="AWS account the environment lives "
                                   "in; the live gate refuses to probe another (none: any account).")

    @field_validator("log_retention_days")
    @classmethod
    def _cloudwatch_retention(cls, value: int | None) -> int | None:
        if value is not None and value not in CLOUDWATCH_RETENTION_DAYS:
            raise PydanticCustomError("retention", "must be one of CloudWatch's allowed values, got {got}",
                                      {"got": value})
        return value

    @property
    def tfvars(self) -> str:
        """The environment's own var file (the last one): where EG009 points."""
        return self.var_files[-1]

    @property
    def workspace_name(self) -> str:
        """The workspace tofu selects: the contract's, or tofu's `default`."""
        return self.workspace or "default"

    def value(self, field: str) -> Any:
        """A contract value by dotted path (`api.quota_limit`); None when a part of it is not set."""
        node: Any = self
        for part in field.split("."):
            node = getattr(node, part) if node is not None else None
        return node


class Isolation(BaseModel):
    model_config = _STRICT

    forbid_other_names: bool = Field(True, description="Other environments' names may not appear in its values.")
    forbid_other_prefixes: bool = Field(True, description="Other environments' prefixes may not appear in its values.")
    extra_forbidden: dict[str, list[str]] = Field(
        default_factory=dict, description="Per environment: further words (e.g. legacy names) forbidden in its values.")


class Naming(BaseModel):
    model_config = _STRICT

    template: str = Field("{prefix}-{name}", description="How every resource name is built; what precedes {name} "
                                                         "is checked (`{prefix}-{name}`, `{project}-{env}-{name}`).")
    type_templates: dict[str, str | list[str]] = Field(default_factory=dict, description="Per resource type: its "
                                                       "own template, or a list of alternatives "
                                                       "(`/aws/lambda/{prefix}-{name}`, `/ecs/{env}/{name}`).")
    name_attributes: dict[str, str] = Field(default_factory=dict, description="Per resource type: the attribute "
                                            "holding its name, beyond the built-in table of rule EG001.")
    exempt: dict[str, str] = Field(default_factory=dict, description="Resource types whose names are not checked, "
                                   "each with the reason.")
    regex: str | None = Field(None, description="A regular expression the whole name must match as well, for the "
                              "types without a type template; {project}, {env}, {prefix}, {workspace} stand for the "
                              "environment's values, literally (`{project}-{env}-[a-z][a-z0-9-]{0,40}`).")

    @field_validator("regex")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            sample = value
            for field in TEMPLATE_FIELDS:
                sample = sample.replace("{" + field + "}", "x")
            try:
                re.compile(sample)
            except re.error as exc:
                raise PydanticCustomError("regex", "not a regular expression: {why}", {"why": str(exc)}) from None
        return value

    @field_validator("template")
    @classmethod
    def _name_template(cls, value: str) -> str:
        return _template(value, name=True)

    @field_validator("type_templates")
    @classmethod
    def _type_templates(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        for templates in value.values():
            for template in [templates] if isinstance(templates, str) else templates:
                _template(template, name=True)
        return value


class Assertion(BaseModel):
    """One expectation of one environment: every given key must hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    equals: Any = None
    one_of: list[Any] | None = None
    min: float | None = None
    max: float | None = None
    regex: str | None = None
    present: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> Assertion:
        if not self.model_fields_set:
            raise PydanticCustomError("assertion", "an assertion needs one of equals, one_of, min, max, regex, present")
        return self

    @field_validator("regex")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise PydanticCustomError("regex", "not a regular expression: {why}", {"why": str(exc)}) from None
        return value


class Expectation(BaseModel):
    model_config = _STRICT

    type: str = Field(pattern=r"^[a-z][a-z0-9_]+$", description="A resource type (`aws_lambda_function`).")
    attribute: str = Field(description="An attribute path as the plan spells it (`environment[0].variables.X`).")
    where: dict[str, Any] = Field(default_factory=dict, description="Only the resources whose attributes have "
                                  "these values (e.g. a `function_name` template).")
    envs: dict[str, Assertion] = Field(description="Per environment: the assertion (environments not named are "
                                       "not checked).")


class Parity(BaseModel):
    model_config = _STRICT

    environments: Annotated[list[str], Field(min_length=2, max_length=2, description="[mirror, model]: the "
                                             "first must have the second's resources and values (rule EG015).")]
    allow_differ: list[str] = Field(default_factory=list, description="What may differ, as glob patterns: an "
                                    "attribute path (`timeout`, `tags_all.*`), TYPE.PATH (`aws_lambda_function."
                                    "timeout`), or a resource address (`aws_cloudwatch_metric_alarm.*`: it may exist "
                                    "in one of them only).")


class Contract(BaseModel):
    model_config = _STRICT

    version: Literal[2]
    project: str = Field(pattern=r"^[a-z][a-z0-9-]*$", description="{project} in templates.")
    layout: Layout = Layout.model_validate({})
    variables: Annotated[dict[TfvarsField, str], Field(
        description="Contract field -> the stack input variable that carries it in a var file.")]
    naming: Naming = Naming.model_validate({})
    tags: Annotated[dict[str, str], Field(min_length=1, description="Required tags and their value templates "
                                                                    "(`Environment: \"{env}\"`).")]
    default_tags_count: bool = Field(True, description="Tags from the provider's default_tags count.")
    secrets_path: str = Field("{env}/{project}/", description="Secrets Manager name prefix template.")
    alarm_topic: str | None = Field("Operations", description="{name} of the SNS topic that exists only where "
                                    "alarms are on (rule EG006); none: no topic is tied to the alarms.")
    isolation: Isolation = Isolation.model_validate({})  # all defaults; frozen, so safe to share
    expectations: list[Expectation] = Field(default_factory=list)
    parity: Parity | None = None
    promotion: list[str] | None = Field(None, description="The order a change is deployed in (dev, staging, "
                                        "production): each environment gets only what the one before ran. None: "
                                        "the environments in contract order, read-only ones last.")
    environments: Annotated[dict[str, EnvironmentContract], Field(min_length=1)]

    @field_validator("environments")
    @classmethod
    def _env_names(cls, envs: dict[str, EnvironmentContract]) -> dict[str, EnvironmentContract]:
        for name in envs:
            if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
                raise FieldError(f"environments.{name}", "environment names are lowercase words")
        return envs

    @field_validator("tags")
    @classmethod
    def _tag_templates(cls, tags: dict[str, str]) -> dict[str, str]:
        for value in tags.values():
            _template(value)
        return tags

    @field_validator("secrets_path")
    @classmethod
    def _secrets_template(cls, value: str) -> str:
        return _template(value)

    @model_validator(mode="after")
    def _consistent(self) -> Contract:
        # A field the contract sets must reach the stack through a variable; `name` always does.
        missing = sorted(f for f in get_args(TfvarsField) if f not in self.variables and (f == "name" or (
            f != "prefix" and any(e.value(f) is not None for e in self.environments.values()))))
        if missing:
            raise FieldError("variables", f"no stack variable bound for {', '.join(missing)}")
        seen: dict[tuple[str, str], str] = {}
        for name, env in self.environments.items():
            if env.workspace is None and env.backend_config is None:
                raise FieldError(f"environments.{name}", "needs a workspace or a backend_config: its own state")
            for field in ("prefix", "workspace", "tfvars", "backend_config"):
                value = getattr(env, field)
                if value is None:
                    continue
                if (field, value) in seen:
                    owner = seen[field, value]
                    where = "var_files" if field == "tfvars" else field
                    raise FieldError(f"environments.{name}.{where}", f"{value!r} is already used by {owner}")
                seen[field, value] = name
        for name in self.isolation.extra_forbidden:
            if name not in self.environments:
                raise FieldError(f"isolation.extra_forbidden.{name}", "no such environment")
        for index, expectation in enumerate(self.expectations):
            for name in expectation.envs:
                if name not in self.environments:
                    raise FieldError(f"expectations.{index}.envs.{name}", "no such environment")
        for name in self.parity.environments if self.parity else ():
            if name not in self.environments:
                raise FieldError(f"parity.environments", f"{name!r}: no such environment")
        for index, name in enumerate(self.promotion or ()):
            if name not in self.environments or name in self.promotion[:index]:
                raise FieldError(f"promotion.{index}", f"{name!r}: no such environment, or named twice")
        return self

    def promotion_order(self, envs: Iterable[str] | None = None) -> list[str]:
        """`envs` (default: all) in promotion order; ones the order does not name come first, in contract order."""
        names = list(self.environments) if envs is None else list(envs)
        order = self.promotion or sorted(self.environments, key=lambda e: self.environments[e].read_only)
        return sorted(names, key=lambda e: (e in order, order.index(e) if e in order else list(self.environments).index(e)))

    # --- derived views used by the checks -----------------------------------------------------------------

    def env(self, name: str) -> EnvironmentContract:
        try:
            return self.environments[name]
        except KeyError:
            raise EnvgateError(f"unknown environment {name!r} (contract has: {', '.join(self.environments)})") from None

    def fill(self, template: str, env: str) -> str:
        spec = self.env(env)
        return template.format(project=self.project, env=env, prefix=spec.prefix, workspace=spec.workspace_name)

    def backend_settings(self, env: str, root: Path) -> dict[str, str]:
        """The settings of the environment's -backend-config file (empty without one)."""
        rel = self.env(env).backend_config
        if rel is None:
            return {}
        path = root / rel
        try:
            data = hcl2.loads(path.read_text())
        except OSError as exc:
            raise EnvgateError(f"{rel}: cannot read the backend config of environment {env}: {exc.strerror}") from None
        except Exception as exc:  # python-hcl2 raises lark's errors, which carry the position
            raise EnvgateError(f"{rel}: not a backend config (HCL): {str(exc).splitlines()[0]}") from None
        # python-hcl2 keeps a string literal's quotes; backend configs hold literals only.
        return {k: str(v).lower() if isinstance(v, bool) else str(v).removeprefix('"').removesuffix('"')
                for k, v in data.items()}

    def state_key(self, env: str, root: Path) -> str:
        """The backend `key` of the environment (before any workspace prefix)."""
        return self.backend_settings(env, root).get("key") or self.fill(self.layout.state_key, env)

    def state_object(self, env: str, root: Path) -> str:
        """The S3 object that holds the environment's state: `key`, under `env:/<workspace>/` off the default."""
        key = self.state_key(env, root)
        workspace = self.env(env).workspace_name
        prefix = self.backend_settings(env, root).get("workspace_key_prefix", "env:")
        return key if workspace == "default" else f"{prefix}/{workspace}/{key}"

    def variable(self, field: str) -> str:
        """The stack variable carrying a contract field (`log_retention_days` -> `log_retention_days`)."""
        return self.variables[field]  # type: ignore[index]  # keys are validated against TfvarsField on load

    def tags_of(self, env: str) -> dict[str, str]:
        """The tags every taggable resource of `env` carries, with their values."""
        return {key: self.fill(value, env) for key, value in self.tags.items()}

    def secrets_path_of(self, env: str) -> str:
        return self.fill(self.secrets_path, env)

    def type_stems(self, env: str, resource_type: str | None = None) -> tuple[str, ...]:
        """How a name of `resource_type` in `env` may start: each of its templates up to {name}."""
        templates = self.naming.type_templates.get(resource_type or "", self.naming.template)
        return tuple(self.fill(t.split("{name}", 1)[0], env)
                     for t in ([templates] if isinstance(templates, str) else templates))

    def name_regex(self, env: str, resource_type: str) -> str | None:
        """`naming.regex` with this environment's values (escaped), for a type without its own template."""
        if self.naming.regex is None or resource_type in self.naming.type_templates:
            return None
        spec = self.env(env)
        pattern = self.naming.regex
        for field, value in (("project", self.project), ("env", env), ("prefix", spec.prefix),
                             ("workspace", spec.workspace_name)):
            pattern = pattern.replace("{" + field + "}", re.escape(value))
        return pattern

    def name_stem(self, env: str, resource_type: str | None = None) -> str:
        """The first of `type_stems`: how the names envgate looks up (the alarms' topic) start."""
        return self.type_stems(env, resource_type)[0]

    def name_stems(self, env: str) -> tuple[str, ...]:
        """Every beginning only `env`'s resources have: the name templates' stems and the secrets path."""
        stems = [*self.type_stems(env)] + [s for t in self.naming.type_templates for s in self.type_stems(env, t)]
        return tuple(dict.fromkeys([*stems, self.secrets_path_of(env)]))

    def forbidden_words(self, env: str) -> dict[str, str]:
        """Words that must not appear in `env`'s values, each mapped to the environment it belongs to."""
        words: dict[str, str] = {}
        for other, spec in self.environments.items():
            if other == env:
                continue
            if self.isolation.forbid_other_names:
                words[other.lower()] = other
            if self.isolation.forbid_other_prefixes:
                words[spec.prefix.lower()] = other
        for word in self.isolation.extra_forbidden.get(env, []):
            words[word.lower()] = env
        # A word shared with this environment's own name/prefix (dev/dev) can never be forbidden.
        own = self.env(env)
        for word in (env.lower(), own.prefix.lower()):
            words.pop(word, None)
        return words


def migrate_v1(data: dict[str, Any]) -> dict[str, Any]:
    """A version 1 contract as version 2: the same environments, their tags as templates, names `{prefix}-`."""
    envs = data.get("environments") or {}
    first = next(iter(envs.values()), {})
    project = (first.get("tags") or {}).get("Project", "project")
    templates = {}
    for key, value in (first.get("tags") or {}).items():
        if all(str((e.get("tags") or {}).get(key)) == str(value) for e in envs.values()):
            templates[key] = str(value).replace(project, "{project}") if value == project else str(value)
        elif all((e.get("tags") or {}).get(key) == name for name, e in envs.items()):
            templates[key] = "{env}"
        elif all((e.get("tags") or {}).get(key) == e.get("workspace") for e in envs.values()):
            templates[key] = "{workspace}"
        else:
            templates[key] = str(value)
    secrets = str((data.get("naming") or {}).get("secrets_path", "{environment}/")).replace("{environment}", "{env}")
    out: dict[str, Any] = {
        "version": VERSION, "project": project, "layout": {"stack": "terraform"},
        "variables": data.get("variables"),
        "naming": {"template": "{prefix}-{name}",
                   "type_templates": {"aws_cloudwatch_log_group": "/aws/lambda/{prefix}-{name}"}},
        "tags": templates, "secrets_path": secrets.replace(project, "{project}"),
    }
    if "isolation" in data:
        out["isolation"] = data["isolation"]
    out["environments"] = {
        name: {"prefix": e.get("prefix"), "workspace": e.get("workspace"), "var_files": [e.get("tfvars")],
               **{k: v for k, v in e.items() if k not in ("prefix", "workspace", "tfvars", "tags")}}
        for name, e in envs.items()}
    return out


def load_contract(path: Path | None = None) -> Contract:
    path = path or policies_dir() / "contract.yaml"
    data = load_yaml(path)
    if isinstance(data, dict) and data.get("version") == 1:
        raise EnvgateError(f"{shown(path)}: contract version 1 is no longer read: run `envgate contract migrate "
                           f"{shown(path)}` to rewrite it as version 2")
    try:
        return Contract.model_validate(data)
    except ValidationError as exc:
        raise EnvgateError(validation_message(path, exc)) from None


def schema_json() -> str:
    return json.dumps(Contract.model_json_schema(), indent=2, sort_keys=True) + "\n"


def main() -> None:
    SCHEMA_PATH.write_text(schema_json())


if __name__ == "__main__":
    main()
