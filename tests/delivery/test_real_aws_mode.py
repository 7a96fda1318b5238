"""--real-aws never turns a tier into skips that exit 0: what cannot run there is one error line, exit 4.

Only collection runs here (the error comes before any fixture), so nothing is sent anywhere.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def _pytest(repo_root: Path, *args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, **(env_extra or {})}
    env.pop("ENVGATE_ENDPOINT", None)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args], cwd=repo_root,
                          env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize(("args", "env_extra", "why"), [
    (["--real-aws", "tests/live/test_destroy.py"], None, "they deploy, seed or destroy"),
    (["-m", "live", "tests/live", "tests/seeded"], {"ENVGATE_REAL_AWS": "1"}, "they deploy, seed or destroy"),
    (["--real-aws", "-m", "plan", "tests/plan"], None, "the plan tier needs --plan-file for staging, production, dev"),
])
def test_a_tier_that_cannot_run_on_real_aws_is_an_error(repo_root: Path, args, env_extra, why) -> None:
    run = _pytest(repo_root, *args, env_extra=env_extra)
    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.stdout + run.stderr
    errors = [ln for ln in run.stderr.splitlines() if ln.startswith("ERROR: ")]
    assert len(errors) == 1 and f"cannot run against real AWS ({why})" in errors[0], run.stderr
    assert "passed" not in run.stdout and "skipped" not in run.stdout


def test_the_narrowed_live_tier_collects_on_real_aws(repo_root: Path) -> None:
    run = _pytest(repo_root, "--real-aws", "-m", "live and not local_aws", "--co", "tests/live")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "test_live_gate.py::test_rule" in run.stdout and "test_destroy" not in run.stdout
