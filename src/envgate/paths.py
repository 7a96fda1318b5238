"""Where the repository and its policy files are, and how paths are shown in messages."""

from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    """The repository whose policies apply: ENVGATE_ROOT, else the nearest directory at or above the working
    directory that has policies/contract.yaml (a copy or worktree gates itself), else this package's checkout."""
    override = os.environ.get("ENVGATE_ROOT")
    if override:
        return Path(override).resolve()
    cwd = Path.cwd().resolve()
    for directory in (cwd, *cwd.parents):
        if (directory / "policies" / "contract.yaml").is_file():
            return directory
    return Path(__file__).resolve().parents[2]


def policies_dir() -> Path:
    return repo_root() / "policies"


def shown(path: Path | str, root: Path | None = None) -> str:
    """A path as messages print it: relative to `root` (default: the working directory) when inside it."""
    path = Path(path)
    base = (root or Path.cwd()).resolve()
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()
