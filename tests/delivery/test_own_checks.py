"""A team's own check, loaded through the `envgate.checks` entry point group, runs beside the built-in rules."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from delivery_data import outside_env

ROOT = Path(__file__).resolve().parents[2]

CHECK = '''
from envgate.findings import Raw
from envgate.registry import check


@check("X001", "static")
def queues_have_a_dlq(resources, ctx):
    for res in (r for r in resources if r.type == "aws_sqs_queue" and not str(r.get("name")).endswith("-dlq")):
        policy = res.get("redrive_policy")
        yield ctx.verdict("deadLetterTargetArn" in (policy if isinstance(policy, (dict, str)) else ""), res.address,
                          "redrive_policy", policy, Raw("a dead-letter queue"), file=res.file, line=res.line)
'''


@pytest.fixture
def team(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the example stack with a rule X001 of its own, and the environment that installs its check."""
    site = tmp_path / "site"
    (site / "teamchecks-1.0.dist-info").mkdir(parents=True)
    (site / "teamchecks.py").write_text(CHECK)
    (site / "teamchecks-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: teamchecks\nVersion: 1.0\n")
    (site / "teamchecks-1.0.dist-info" / "entry_points.txt").write_text("[envgate.checks]\nteam = teamchecks\n")
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "audio-pipeline", repo)
    catalogue = yaml.safe_load((ROOT / "src" / "envgate" / "rules.yaml").read_text())
    catalogue["rules"].append({"id": "X001", "title": "Every work queue has a dead-letter queue", "severity": "high",
                               "rationale": "A poison message is retried forever.", "remediation": "Add a redrive_policy.",
                               "gates": ["static"], "resource_types": ["aws_sqs_queue"]})
    (repo / "policies" / "rules.yaml").write_text(yaml.safe_dump(catalogue, sort_keys=False))
    return repo, outside_env(PYTHONPATH=str(site))


def test_a_team_check_from_an_entry_point(team) -> None:
    repo, env = team
    queues = repo / "terraform" / "queues.tf"

    def static() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "envgate.cli", "static", "--env", "staging"], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=120, check=False)

    proc = static()
    assert proc.returncode == 0 and "│ X001  │" in proc.stdout, proc.stdout + proc.stderr
    text = queues.read_text()
    start = text.index("  redrive_policy = jsonencode({")
    queues.write_text(text[:start] + text[text.index("  })\n", start) + len("  })\n"):])
    proc = static()
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "X001 [static] staging aws_sqs_queue.jobs (terraform/queues.tf:9): redrive_policy is (missing), " \
           "contract says a dead-letter queue" in proc.stdout


def test_a_broken_team_check_is_one_line_naming_it(tmp_path: Path) -> None:
    from envgate.engine import evaluate
    from envgate.errors import EnvgateError
    from envgate.registry import _CHECKS, RuleCatalogue, check, load_rules
    from envgate.resource import Resource

    @check("X999", "plan")
    def broken(resources, ctx):
        raise KeyError("name")
        yield

    try:
        catalogue = load_rules().model_dump()
        catalogue["rules"].append({"id": "X999", "title": "t", "severity": "low", "rationale": "r",
                                   "remediation": "m", "gates": ["plan"], "resource_types": ["aws_sqs_queue"]})
        rules = RuleCatalogue.model_validate(catalogue)
        queue = Resource(type="aws_sqs_queue", address="aws_sqs_queue.q", env="staging", values={"name": "stag-q"})
        try:
            evaluate([queue], "staging", "plan", rules=rules, only=["X999"])
        except EnvgateError as exc:
            assert str(exc) == (f"check X999 ({__name__}.test_a_broken_team_check_is_one_line_naming_it.<locals>."
                                "broken) failed at the plan gate on staging: KeyError: 'name'")
        else:
            raise AssertionError("a check that raises must not pass")
    finally:
        _CHECKS.pop(("X999", "plan"), None)


def test_a_team_rule_owes_its_fixtures(team) -> None:
    repo, env = team

    def engine_items() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-m", "engine"],
                              cwd=repo, env=env, capture_output=True, text=True, timeout=300, check=False)

    proc = engine_items()
    assert proc.returncode == 1 and "missing fixture policies/fixtures/X001/static/pass" in proc.stdout, proc.stdout
    base = repo / "policies" / "fixtures" / "_base"
    shutil.copytree(repo / "environments", base / "environments")
    for name in ("versions.tf", "providers.tf", "variables.tf", "locals.tf"):
        (base / "terraform").mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / "terraform" / name, base / "terraform" / name)
    for kind, redrive in (("pass", "\n  redrive_policy = jsonencode({ deadLetterTargetArn = aws_sqs_queue.dlq.arn, "
                                   "maxReceiveCount = 3 })\n"), ("fail", "\n")):
        case = repo / "policies" / "fixtures" / "X001" / "static" / kind
        (case / "terraform").mkdir(parents=True)
        (case / "terraform" / "queues.tf").write_text(
            'resource "aws_sqs_queue" "dlq" {\n  name = "${local.name_prefix}-jobs-dlq"\n}\n\n'
            f'resource "aws_sqs_queue" "jobs" {{\n  name = "${{local.name_prefix}}-jobs"{redrive}}}\n')
        fail = ["staging aws_sqs_queue.jobs (terraform/queues.tf:5): redrive_policy is (missing), contract says a "
                "dead-letter queue"] if kind == "fail" else []
        (case / "case.yaml").write_text(yaml.safe_dump({"env": "staging", **({"fail": fail} if fail else {})}))
    proc = engine_items()
    assert proc.returncode == 0 and "1 passed" in proc.stdout, proc.stdout + proc.stderr
