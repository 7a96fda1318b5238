"""A repository envgate was not written for, gated through the installed plugin from its contract alone.

The example stack (examples/audio-pipeline: dev/staging/prod, per-environment backend files, names
`{project}-{env}-{name}`) is copied to a temporary directory with no tests and no conftest of its own; plain
`pytest -m static` there collects policies/contract.yaml as the gate's items.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "audio-pipeline"


def gate(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "ENVGATE_ROOT"}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args], cwd=repo,
                          env=env, capture_output=True, text=True, timeout=900, check=False)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    repo = tmp_path / "audio-pipeline"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    assert not list(repo.rglob("conftest.py")) and not list(repo.rglob("test_*.py"))
    return repo


def test_static_tier_of_an_outside_repository(outside: Path) -> None:
    proc = gate(outside, "-m", "static", "--collect-only")
    assert [line for line in proc.stdout.splitlines() if "::" in line] == [
        f"policies/contract.yaml::static[{env}]" for env in ("dev", "staging", "prod")], proc.stdout + proc.stderr
    proc = gate(outside, "-m", "static")
    assert proc.returncode == 0 and "3 passed" in proc.stdout, proc.stdout + proc.stderr


def test_a_sizing_row_broken_in_one_environment_fails_there_only(outside: Path) -> None:
    tfvars = outside / "environments" / "prod" / "terraform.tfvars"
    text = tfvars.read_text()
    assert text.count("lambda_memory_mb            = 1024") == 1
    tfvars.write_text(text.replace("lambda_memory_mb            = 1024", "lambda_memory_mb            = 512"))
    proc = gate(outside, "-m", "static")
    assert proc.returncode == 1 and "1 failed, 2 passed" in proc.stdout, proc.stdout + proc.stderr
    assert 'EG014 prod module.service["api"].aws_lambda_function.this (terraform/main.tf:1): memory_size is 512, ' \
           'contract says 1024' in proc.stdout
