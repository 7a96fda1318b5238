"""checkov lives in its own venv ($ENVGATE_HOME/checkov-venv, made by scripts/bootstrap): checkov 3.3.30 pins
packaging==23.2 while pytest 9.2 needs packaging>=24, so the two cannot share the project's .venv."""

from __future__ import annotations

import json
import subprocess
from collections import defaultdict
from pathlib import Path

from envgate.errors import EnvgateError
from envgate.paths import policies_dir
from envgate.toolchain import home

CHECKOV_VERSION = "3.3.30"
CHECK_IDS = "CKV_ENVGATE_*"


def checkov_bin() -> Path:
    """The checkov executable of the dedicated venv; EnvgateError (saying how to install it) when absent."""
    path = home() / "checkov-venv" / "bin" / "checkov"
    if not path.is_file():
        raise EnvgateError(f"checkov {CHECKOV_VERSION} is not installed at {path}: run scripts/bootstrap")
    return path


def run_checkov(directory: Path, checks_dir: Path | None = None) -> dict[str, tuple[set[str], set[str]]]:
    """Run envgate's custom checks over `directory`: top-level subdirectory -> (passed ids, failed ids)."""
    checks = checks_dir or policies_dir() / "checkov"
    cmd = [str(checkov_bin()), "-d", str(directory), "--external-checks-dir", str(checks), "--check", CHECK_IDS,
           "--framework", "terraform", "--skip-download", "-o", "json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    # Exit 1 only means some check failed; anything else, or no JSON, is checkov itself failing.
    if proc.returncode not in (0, 1):
        raise EnvgateError(f"checkov failed (exit {proc.returncode}): {proc.stderr.strip().splitlines()[-1:]}")
    try:
        reports = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise EnvgateError(f"checkov printed no JSON report: {proc.stdout[:200]!r}") from None
    results: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for report in reports if isinstance(reports, list) else [reports]:
        for outcome, index in (("passed_checks", 0), ("failed_checks", 1)):
            for item in report.get("results", {}).get(outcome, []):
                top = Path(item["file_abs_path"]).resolve().relative_to(directory.resolve()).parts[0]
                results[top][index].add(item["check_id"])
    return dict(results)
