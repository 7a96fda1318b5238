"""Engine self-tests (marker `engine`): rule fixtures, the idiom corpus, bad configurations, synthetic input.
They record nothing: their findings are the engine's, not the stack's.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

GATED = ("terraform", "environments")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.engine)


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
