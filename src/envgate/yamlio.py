"""YAML reading for the policy files: one-line errors naming file and line, and line numbers for list items."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from envgate.errors import EnvgateError
from envgate.paths import shown

# libyaml's loader when PyYAML was built with it: the pure-Python one dominates a static-gate run.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """Safe loader that remembers the 1-based line of every mapping, so findings can point into the file."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    data = loader.construct_mapping(node, deep=True)
    data["__line__"] = node.start_mark.line + 1
    return data


def _timestamp_with_line(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    try:  # `expires: 2030-13-45` is a timestamp to the resolver, and a ValueError (no line) to the constructor
        return loader.construct_yaml_timestamp(node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(None, None, f"invalid date {node.value!r} ({exc})",
                                                node.start_mark) from None


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_with_line)


def load_yaml(path: Path, *, with_lines: bool = False) -> Any:
    """Parse a YAML file; with_lines adds `__line__` to every mapping (callers strip it)."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise EnvgateError(f"{shown(path)}: cannot read: {exc.strerror}") from None
    try:
        return yaml.load(text, Loader=_LineLoader if with_lines else _SafeLoader)  # both loaders are safe
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f":{mark.line + 1}" if mark else ""
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise EnvgateError(f"{shown(path)}{where}: YAML error: {problem}") from None
    except yaml.YAMLError as exc:
        raise EnvgateError(f"{shown(path)}: YAML error: {' '.join(str(exc).split())}") from None
    except ValueError as exc:  # a constructor rejecting a value (an impossible date) outside _LineLoader
        raise EnvgateError(f"{shown(path)}: YAML error: invalid value ({exc})") from None


def pop_line(item: dict[str, Any]) -> int | None:
    return item.pop("__line__", None)


def strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value


class FieldError(ValueError):
    """A cross-field validation error that knows the field path it is about (pydantic only knows the model)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path


def validation_message(path: Path, exc: ValidationError) -> str:
    """pydantic's errors as one line: `<file>: <field.path>: <message>` (+ how many more)."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    error = (first.get("ctx") or {}).get("error")
    if isinstance(error, FieldError):
        where, text = error.path, str(error)
    else:
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        text = first["msg"].removeprefix("Value error, ")
        scalar = isinstance(first.get("input"), (str, int, float, bool))
        if scalar and first["type"] not in ("missing", "extra_forbidden") and ", got " not in text:
            text = f"{text}, got {first['input']!r}"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{shown(path)}: {where}: {text}{more}"
