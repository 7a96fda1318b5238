"""The idiom corpus (tests/unit/idioms/): a stack written the way teams write Terraform, and seeded edits of it.

correct-stack/ is a correct idiomatic stack (a local module called with for_each, merge() tags over provider
default_tags, format() names, references, policy documents, for_each alarms only where alarms are on) and
gives no finding but PASS in any environment. Each case of cases.yaml edits one file of a copy and must give
exactly its `findings` (every finding that is not a PASS: rule, environment, address, file:line).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from envgate.contract import load_contract
from envgate.engine import evaluate_static
from envgate.findings import Outcome
from envgate.paths import policies_dir

CORPUS = Path(__file__).parent / "idioms"
STACK = CORPUS / "correct-stack"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text())["cases"]


@pytest.fixture(scope="module")
def contract():
    return load_contract(policies_dir() / "fixtures" / "contract.yaml")


def _not_passed(root: Path, envs: list[str], contract) -> list[list[str]]:
    findings = evaluate_static(root, envs, contract)
    assert {f.env for f in findings if f.outcome is Outcome.PASS} == set(envs), "an environment checked nothing"
    return sorted([f.outcome.value, f.rule_id, f.message] for f in findings if f.outcome is not Outcome.PASS)


def test_correct_stack_passes_everywhere(contract) -> None:
    envs = sorted(p.stem for p in (STACK / "environments").glob("*.tfvars"))
    assert _not_passed(STACK, envs, contract) == []


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_seeded_idiom(case: dict, contract, tmp_path: Path) -> None:
    root = tmp_path / "stack"
    shutil.copytree(STACK, root)
    path = root / case["file"]
    text = path.read_text()
    assert text.count(case["find"]) == 1, f"{case['id']}: `find` must occur exactly once in {case['file']}"
    path.write_text(text.replace(case["find"], case["replace"]))
    assert _not_passed(root, case["envs"], contract) == sorted(case["findings"])
