"""Helpers of the seeded-violation runner (imported by tests/seeded/conftest.py and its tests)."""

from __future__ import annotations

import json
import re

from envgate.errors import EnvgateError
from envgate.paths import policies_dir
from envgate.seeded import SeededCase, load_seeded

SEEDED = policies_dir() / "seeded"
_OUTPUT = re.compile(r"\$\{([a-z][a-z0-9-]*)\.([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?\}")
_WHERE = re.compile(r"\{where:([^}]+)\}")


def load_cases(gate: str) -> list[SeededCase]:
    return load_seeded(SEEDED / f"{gate}.yaml")


def envs_of(cases: list[SeededCase]) -> list[str]:
    return sorted({c.env for c in cases})


def fill(text: str, outputs: dict[str, dict], locations: dict[str, tuple[str, int]]) -> str:
    """Resolve `${ENV.OUTPUT[.KEY]}` from deployed outputs and `{where:ADDRESS}` from the HCL source."""

    def output(match: re.Match) -> str:
        env, name, key = match.groups()
        try:
            value = outputs[env][name]
            return str(value[key] if key else value)
        except (KeyError, TypeError):
            raise EnvgateError(f"seeded placeholder {match.group(0)}: no such output of {env}") from None

    def where(match: re.Match) -> str:
        address = match.group(1)
        if address not in locations:
            raise EnvgateError(f"seeded placeholder {match.group(0)}: no block {address} in the stack")
        file, line = locations[address]
        return f"{file}:{line}"

    return _WHERE.sub(where, _OUTPUT.sub(output, text))


def normalized(text: str) -> str:
    """tofu wraps long diagnostics and draws boxes around them: compare words only."""
    return " ".join(re.sub(r"[│╷╵]", " ", text).split())




def drift(world, case: SeededCase) -> None:
    """Apply a live case's boto3 call (`file: aws:<service>`, `find`: operation, `replace`: JSON kwargs)."""
    service = case.file.removeprefix("aws:")
    kwargs = json.loads(fill(case.replace, world.outputs, world.locations))
    client = world.target.client(service)
    getattr(client, case.find)(**kwargs)
