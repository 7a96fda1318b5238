"""Seeded violations (policies/seeded/static.yaml) in a copy of the repository: each yields its precise FAIL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from envgate.engine import evaluate_static
from envgate.findings import Outcome
from envgate.paths import policies_dir
from envgate.seeded import SeededCase, load_seeded

CASES = load_seeded(policies_dir() / "seeded" / "static.yaml")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_seeded_violation_is_reported(case: SeededCase, repo_copy: Callable[[], Path]) -> None:
    root = repo_copy()
    expected = case.apply(root)
    failed = [f for f in evaluate_static(root, case.env) if f.outcome is Outcome.FAIL]
    messages = [f"{f.rule_id} {f.message}" for f in failed]
    wanted = f"{case.rule} {expected}"
    assert wanted in messages, f"expected:\n  {wanted}\ngot:\n  " + "\n  ".join(messages)
