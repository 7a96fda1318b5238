"""`pre-commit run --all-files` on a git copy of the repository: green as is, red with the precise message
once a violation is seeded."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from envgate.paths import policies_dir
from envgate.seeded import load_seeded

pytestmark = pytest.mark.slow

SEEDED = "production-retention-3"


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def _pre_commit(root: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), PYTHONDONTWRITEBYTECODE="1")
    env.pop("ENVGATE_ROOT", None)  # the copy must gate itself
    return subprocess.run([str(Path(sys.prefix) / "bin" / "pre-commit"), "run", "--all-files", "--color", "never"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def repo_git_copy(repo_root: Path, tmp_path: Path) -> Path:
    """The files git would commit, copied into a fresh repository, with this interpreter's venv as .venv."""
    files = _git(repo_root, "ls-files", "--cached", "--others", "--exclude-standard", "-z").split("\0")
    root = tmp_path / "repo"
    for name in filter(None, files):
        if (repo_root / name).is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(repo_root / name, root / name)
    (root / ".venv").symlink_to(sys.prefix)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    return root


def test_pre_commit_passes_then_catches_seeded_violation(repo_git_copy: Path, tmp_path: Path) -> None:
    clean = _pre_commit(repo_git_copy, tmp_path / "pre-commit-home")
    assert clean.returncode == 0, clean.stdout + clean.stderr

    case = next(c for c in load_seeded(policies_dir() / "seeded" / "static.yaml") if c.id == SEEDED)
    expected = case.apply(repo_git_copy)
    _git(repo_git_copy, "add", "-A")
    seeded = _pre_commit(repo_git_copy, tmp_path / "pre-commit-home")
    assert seeded.returncode != 0, seeded.stdout
    assert expected in seeded.stdout, seeded.stdout
