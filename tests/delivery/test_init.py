"""`envgate init` on repositories without a contract: both example stacks, each environment model.

On a correct stack the scaffolded contract passes the static gate; what init cannot infer is a TODO line.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ENVGATE = [sys.executable, "-m", "envgate.cli"]


def init(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ENVGATE, "init", str(repo), *args], capture_output=True, text=True, timeout=120,
                          check=False, cwd=repo)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    repo = tmp_path / "audio-pipeline"
    shutil.copytree(ROOT / "examples" / "audio-pipeline", repo, ignore=shutil.ignore_patterns("policies"))
    return repo


def test_backend_file_model(example: Path) -> None:
    proc = init(example)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "static gate with it:" in proc.stdout and ", 0 FAIL" in proc.stdout
    contract = yaml.safe_load((example / "policies" / "contract.yaml").read_text())
    assert contract["naming"]["template"] == "{project}-{env}-{name}"
    assert contract["naming"]["type_templates"]["aws_cloudwatch_log_group"] == [
        "/aws/lambda/{project}-{env}-{name}", "/ecs/{env}/{name}"]
    assert contract["tags"] == {"Environment": "{env}", "ManagedBy": "opentofu", "Project": "{project}"}
    prod = contract["environments"]["prod"]
    assert (prod["backend_config"], prod["var_files"], prod["read_only"]) == (
        "environments/prod/backend.hcl", ["environments/prod/terraform.tfvars"], True)
    assert "workspace" not in prod and prod["log_retention_days"] == 30 and prod["api"]["throttle_rate_limit"] == 100
    memory = next(e for e in contract["expectations"] if e["attribute"] == "memory_size")
    assert memory["envs"] == {"dev": {"equals": 512}, "prod": {"equals": 1024}, "staging": {"equals": 1024}}
    # Of the two `*alarm*` variables only the bool one is a switch.
    assert contract["variables"]["alarms"] == "enable_alarms" and prod["alarms"] is True


def test_workspace_model(tmp_path: Path) -> None:
    repo = tmp_path / "demo"
    for part in ("terraform", "environments"):
        shutil.copytree(ROOT / part, repo / part, ignore=shutil.ignore_patterns(".terraform*"))
    proc = init(repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    contract = yaml.safe_load((repo / "policies" / "contract.yaml").read_text())
    ours = yaml.safe_load((ROOT / "policies" / "contract.yaml").read_text())
    assert contract["variables"] == ours["variables"]
    assert contract["naming"]["template"] == "{prefix}-{name}"
    for name, env in contract["environments"].items():
        mine = ours["environments"][name]
        assert {k: env[k] for k in ("prefix", "workspace", "var_files", "log_level", "log_retention_days", "api",
                                    "deletion_protection", "alarms")} == {
            k: mine[k] for k in ("prefix", "workspace", "var_files", "log_level", "log_retention_days", "api",
                                 "deletion_protection", "alarms")}, name


def test_what_cannot_be_inferred_is_a_todo(example: Path) -> None:
    queues = example / "terraform" / "queues.tf"
    text = queues.read_text()
    assert text.count('name = "${local.name_prefix}-jobs"') == 1
    queues.write_text(text.replace('name = "${local.name_prefix}-jobs"', 'name = "jobs-${var.environment}"'))
    proc = init(example)
    assert "TODO naming.template: no one template fits every resource name" in proc.stdout, proc.stdout
    assert "# TODO: naming.template" in (example / "policies" / "contract.yaml").read_text()
    assert proc.returncode == 1 and "EG001" in proc.stdout  # the placeholder template is checked, not trusted


def test_an_existing_contract_is_kept(example: Path) -> None:
    (example / "policies").mkdir()
    (example / "policies" / "contract.yaml").write_text("mine\n")
    proc = init(example)
    assert proc.returncode == 2 and proc.stderr.strip().endswith("a contract is already there (--force overwrites it)")
    assert (example / "policies" / "contract.yaml").read_text() == "mine\n"
