"""Engine self-tests evaluate synthetic resources: none of their findings belong in a --report-dir report."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from envgate import report


@pytest.fixture(autouse=True)
def _not_reported() -> Iterator[None]:
    with report.paused():
        yield
