"""Shared by the CKV_ENVGATE_<n> checks: the contract and rule catalogue they read, and value helpers.

checkov renders what it can before a check sees it: locals become the variables behind them and
variables with a default become that default, so a reference reads `var.x` or `${var.x}-Name`.
The checks stay structural (wired, present); the contract's per-environment values are the envgate
static gate's job. This module defines no check itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

POLICIES = Path(__file__).resolve().parent.parent
CONTRACT = yaml.safe_load((POLICIES / "contract.yaml").read_text())
RULES = {rule["id"]: rule for rule in
         yaml.safe_load((POLICIES.parent / "src" / "envgate" / "rules.yaml").read_text())["rules"]}
# The locals this stack wires names and tags through: the structural checks look for them as written.
NAME_PREFIX_LOCAL = "name_prefix"
COMMON_TAGS_LOCAL = "common_tags"


def variable(field: str) -> str:
    """The stack variable bound to a contract field (`prefix` -> `resource_prefix`)."""
    return CONTRACT["variables"][field]


def first(conf: dict[str, Any], key: str) -> Any:
    """checkov wraps every attribute value in a list; None when absent."""
    value = conf.get(key)
    return value[0] if isinstance(value, list) and value else value


def references(value: Any, name: str) -> bool:
    """Whether a rendered value is exactly a reference to var.<name>."""
    return isinstance(value, str) and value.strip() in (f"var.{name}", f"${{var.{name}}}")


def prefix_forms() -> list[str]:
    """How "${local.name_prefix}" reads after checkov's rendering (or before, when it could not render)."""
    return [f"${{local.{NAME_PREFIX_LOCAL}}}", f"${{var.{variable('prefix')}}}"]


def name_start(resource_type: str, prefix: str) -> str:
    """The contract's name template for a type, up to {name}, with `prefix` for {prefix}."""
    naming = CONTRACT.get("naming") or {}
    template = (naming.get("type_templates") or {}).get(resource_type, naming.get("template", "{prefix}-{name}"))
    return template.split("{name}", 1)[0].format(prefix=prefix, project=CONTRACT["project"])
