"""Hardening fixtures: scratch copies of the repository, a moto server seeded with a small production-like
environment (resources + its state object), and retries without back-off sleeps for error-path tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hardening_support import scratch_copy, seed_production

from envgate import localaws
from envgate.stack import Target


@pytest.fixture
def scratch_repo(repo_root: Path, tmp_path: Path) -> Path:
    """A scratch copy of what the `envgate` command reads (terraform/, environments/, the policy files)."""
    return scratch_copy(repo_root, tmp_path)


@pytest.fixture(scope="session")
def seeded_moto(tmp_path_factory) -> Iterator[tuple[Target, dict[str, str]]]:
    """(target, {address: ARN}): a moto server of the hardening tests' own, production seeded on it.

    Its request recorder (/moto-api/recorder/..., used by test_safety) writes into this fixture's temp dir."""
    from envgate.guard import loopback_only

    base = tmp_path_factory.mktemp("hardening-moto")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTO_RECORDER_FILEPATH", str(base / "recording.jsonl"))
        server = localaws.MotoServer(log=base / "moto.log").start()
    try:
        with loopback_only():
            target = Target(endpoint=server.endpoint)
            arns = seed_production(target)
        yield target, arns
    finally:
        server.stop()


@pytest.fixture
def no_retry_wait(monkeypatch) -> None:
    """Keep every retry botocore makes, without the back-off sleeps and the adaptive mode's client-side pacing
    (error-path tests stay fast; test_throttling_is_recovered_by_adaptive_retries keeps both)."""
    from botocore.retries import adaptive, standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    monkeypatch.setattr(adaptive.ClientRateLimiter, "on_sending_request", lambda self, request, **kwargs: None)

