"""The environment contract (policies/contract.yaml): the one declarative source every gate checks against.

Adding an environment = one tfvars file + one entry under `environments:`.
`python -m envgate.contract` rewrites schemas/contract.schema.json from the model (a test keeps them in sync).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from envgate.errors import EnvgateError
from envgate.paths import policies_dir
from envgate.yamlio import FieldError, load_yaml, validation_message

# CloudWatch Logs PutRetentionPolicy accepts exactly these values (days).
CLOUDWATCH_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                             2557, 2922, 3288, 3653)
REQUIRED_TAGS = ("Project", "Environment", "ManagedBy", "Workspace")
SCHEMA_PATH = Path(__file__).parent / "schemas" / "contract.schema.json"

# Contract fields an environment's tfvars must set; `variables:` binds each to a stack input variable.
TfvarsField = Literal["name", "prefix", "log_level", "log_retention_days", "api.throttle_burst_limit",
                      "api.throttle_rate_limit", "api.quota_limit", "deletion_protection", "alarms"]

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)


class ApiLimits(BaseModel):
    model_config = _STRICT

    throttle_burst_limit: int = Field(ge=0, description="Usage plan throttle burst limit (requests).")
    throttle_rate_limit: float = Field(gt=0, description="Usage plan steady rate (requests/second).")
    quota_limit: int = Field(ge=1, description="Usage plan quota (requests per period).")


class EnvironmentContract(BaseModel):
    model_config = _STRICT

    prefix: str = Field(pattern=r"^[a-z][a-z0-9]{1,9}$",
                        description="Short lowercase prefix of every resource name of this environment.")
    workspace: str = Field(pattern=r"^[a-z][a-z0-9-]*$", description="OpenTofu workspace (state) of the environment.")
    tfvars: str = Field(pattern=r"\.tfvars$", description="Repo-relative path of the environment's tfvars file.")
    tags: dict[str, str] = Field(description="Tags every taggable resource carries, with their values.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"]
    log_retention_days: int = Field(json_schema_extra={"enum": list(CLOUDWATCH_RETENTION_DAYS)})
    api: ApiLimits
    deletion_protection: bool = Field(description="Deletion protection of the DSQL cluster and DynamoDB table.")
    alarms: bool = Field(description="CloudWatch alarms and their operations SNS topic exist.")
    read_only: bool = Field(description="The live gate must never mutate this environment.")

    @field_validator("log_retention_days")
    @classmethod
    def _cloudwatch_retention(cls, value: int) -> int:
        if value not in CLOUDWATCH_RETENTION_DAYS:
            raise PydanticCustomError("retention", "must be one of CloudWatch's allowed values, got {got}",
                                      {"got": value})
        return value

    @field_validator("tags")
    @classmethod
    def _required_tags(cls, tags: dict[str, str]) -> dict[str, str]:
        missing = [t for t in REQUIRED_TAGS if t not in tags]
        if missing:
            raise PydanticCustomError("tags", "missing required tag(s) {missing}", {"missing": ", ".join(missing)})
        return tags

    def value(self, field: str) -> Any:
        """A contract value by dotted path (`api.quota_limit`)."""
        node: Any = self
        for part in field.split("."):
            node = getattr(node, part)
        return node


class Isolation(BaseModel):
    model_config = _STRICT

    forbid_other_names: bool = Field(True, description="Other environments' names may not appear in its values.")
    forbid_other_prefixes: bool = Field(True, description="Other environments' prefixes may not appear in its values.")
    extra_forbidden: dict[str, list[str]] = Field(
        default_factory=dict, description="Per environment: further words (e.g. legacy names) forbidden in its values.")


class Naming(BaseModel):
    model_config = _STRICT

    name_prefix_local: str = Field(description="The local every resource name starts with (local.<this>).")
    common_tags_local: str = Field(description="The local holding the common tags (local.<this>).")
    secrets_path: str = Field(pattern=r"\{environment\}",
                              description="Secrets Manager name prefix; {environment} is the environment name.")


class Contract(BaseModel):
    model_config = _STRICT

    version: Literal[1]
    variables: Annotated[dict[TfvarsField, str], Field(
        description="Contract field -> the stack input variable (terraform/variables.tf) that carries it.")]
    naming: Naming
    isolation: Isolation = Isolation.model_validate({})  # all defaults; frozen, so safe to share
    environments: Annotated[dict[str, EnvironmentContract], Field(min_length=1)]

    @field_validator("environments")
    @classmethod
    def _env_names(cls, envs: dict[str, EnvironmentContract]) -> dict[str, EnvironmentContract]:
        for name in envs:
            if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
                raise FieldError(f"environments.{name}", "environment names are lowercase words")
        return envs

    @model_validator(mode="after")
    def _consistent(self) -> Contract:
        missing = sorted(set(get_args(TfvarsField)) - set(self.variables))
        if missing:
            raise FieldError("variables", f"no stack variable bound for {', '.join(missing)}")
        seen: dict[tuple[str, str], str] = {}
        for name, env in self.environments.items():
            for key, expected in (("Environment", name), ("Workspace", env.workspace)):
                if env.tags[key] != expected:
                    raise FieldError(f"environments.{name}.tags.{key}", f"must be {expected!r}, got {env.tags[key]!r}")
            for field in ("prefix", "workspace", "tfvars"):
                value = getattr(env, field)
                if (field, value) in seen:
                    owner = seen[field, value]
                    raise FieldError(f"environments.{name}.{field}", f"{value!r} is already used by {owner}")
                seen[field, value] = name
        for name in self.isolation.extra_forbidden:
            if name not in self.environments:
                raise FieldError(f"isolation.extra_forbidden.{name}", "no such environment")
        return self

    # --- derived views used by the checks -----------------------------------------------------------------

    def env(self, name: str) -> EnvironmentContract:
        try:
            return self.environments[name]
        except KeyError:
            raise EnvgateError(f"unknown environment {name!r} (contract has: {', '.join(self.environments)})") from None

    def variable(self, field: str) -> str:
        """The stack variable carrying a contract field (`log_retention_days` -> `log_retention_days`)."""
        return self.variables[field]  # type: ignore[index]  # keys are validated against TfvarsField on load

    def secrets_path(self, env: str) -> str:
        return self.naming.secrets_path.format(environment=env)

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


def load_contract(path: Path | None = None) -> Contract:
    path = path or policies_dir() / "contract.yaml"
    data = load_yaml(path)
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
