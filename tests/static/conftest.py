"""Static-gate test helpers: temporary copies of the repository's gated directories."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from envgate import report

GATED = ("terraform", "environments")


@pytest.fixture
def repo_copy(repo_root: Path, tmp_path: Path) -> Callable[[], Path]:
    """Make a fresh copy of terraform/ and environments/ (what the static gate reads) and return its root."""

    def make() -> Path:
        root = tmp_path / "repo"
        for name in GATED:
            shutil.copytree(repo_root / name, root / name,
                            ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", "*.zip"))
        return root

    return make


@pytest.fixture
def not_reported() -> Iterator[None]:
    """For tests whose findings are deliberate (seeded defects) or repeats: keep them out of --report-dir."""
    with report.paused():
        yield
