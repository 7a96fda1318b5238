"""The custom checkov checks (policies/checkov/) give exactly the expected results on their fixtures and the stack."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from envgate.checkovrun import checkov_bin, run_checkov
from envgate.errors import EnvgateError
from envgate.paths import policies_dir

pytestmark = pytest.mark.slow

FIXTURES = policies_dir() / "checkov" / "fixtures"
ALL_IDS = sorted({i for p in (policies_dir() / "checkov").glob("*.py")
                  for i in re.findall(r'id="(CKV_ENVGATE_\d+)"', p.read_text())})


def test_checkov_results_per_fixture(repo_root: Path, tmp_path: Path) -> None:
    try:
        checkov_bin()
    except EnvgateError as exc:
        pytest.fail(str(exc), pytrace=False)
    expected = {d.name: yaml.safe_load((d / "expected.yaml").read_text()) for d in sorted(FIXTURES.iterdir())}
    expected["repo-terraform"] = {"passed": ALL_IDS, "failed": []}
    for name in expected:
        source = repo_root / "terraform" if name == "repo-terraform" else FIXTURES / name
        shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("expected.yaml", ".terraform*"))
    # One checkov run for everything: its start-up dominates.
    results = run_checkov(tmp_path)
    for name, want in expected.items():
        passed, failed = results.get(name, (set(), set()))
        assert (sorted(passed), sorted(failed)) == (sorted(want["passed"]), sorted(want["failed"])), name
