"""Where the repository and its policy files are, and how paths are shown in messages."""

from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    """The repository root: ENVGATE_ROOT, else the checkout this package is installed from (src layout)."""
    override = os.environ.get("ENVGATE_ROOT")
    return Path(override).resolve() if override else Path(__file__).resolve().parents[2]


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
