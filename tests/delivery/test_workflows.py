"""Issue 6: the GitHub workflows pass actionlint, and keep the delivery rules (pinned actions, least
permissions, OIDC per environment, protected production after staging, concurrency, SARIF upload)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
ACTIONS = sorted((REPO / ".github" / "actions").glob("*/action.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def actionlint() -> str:
    home = Path(os.environ.get("ENVGATE_HOME", "~/.cache/envgate")).expanduser()
    for candidate in (home / "bin" / "actionlint", shutil.which("actionlint")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    pytest.fail(f"actionlint not found at {home / 'bin' / 'actionlint'} or on PATH: run scripts/bootstrap", pytrace=False)


def load(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text())
    if True in doc:  # YAML 1.1 reads the key `on` as a boolean
        doc["on"] = doc.pop(True)
    return doc


def workflow(name: str) -> dict:
    return load(REPO / ".github" / "workflows" / name)


def steps_of(doc: dict):
    if "runs" in doc:
        yield from doc["runs"].get("steps", [])
    for job in (doc.get("jobs") or {}).values():
        yield from job.get("steps", [])


def uses_lines(path: Path) -> list[tuple[str, str]]:
    """(ref, trailing comment) of every `uses:` line."""
    out = []
    for line in path.read_text().splitlines():
        m = re.match(r"\s*(?:-\s+)?uses:\s*(\S+)\s*(#.*)?$", line)
        if m:
            out.append((m.group(1), (m.group(2) or "").lstrip("# ").strip()))
    return out


def test_expected_files():
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "deploy.yml", "pr.yml"]


def test_workflows_pass_actionlint():
    proc = subprocess.run([actionlint(), "-no-color", *map(str, WORKFLOWS)], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_seeded_bad_workflow_fails_actionlint(tmp_path):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.write_text(
        "on: push\n"
        "permissions: {}\n"
        "jobs:\n"
        "  deploy:\n"
        "    needs: stagng\n"  # a job that does not exist
        "    runs-on: ubuntu-24.04\n"
        "    steps:\n"
        "      - run: echo ${{ github.event.pull_request.nmber }} ${{ matrix.environment }}\n"
    )
    proc = subprocess.run([actionlint(), "-no-color", str(bad)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "stagng" in proc.stdout
    assert "matrix" in proc.stdout


@pytest.mark.parametrize("path", WORKFLOWS + ACTIONS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_action_is_pinned_to_a_commit(path):
    refs = uses_lines(path)
    for ref, comment in refs:
        if ref.startswith("./"):
            assert (REPO / ref / "action.yml").is_file(), f"{ref}: local action without action.yml"
            continue
        assert PINNED.match(ref), f"{path.name}: {ref} is not pinned to a full commit SHA"
        assert re.match(r"v\d+\.\d+\.\d+$", comment), f"{path.name}: {ref} needs a `# vX.Y.Z` comment"
    # One version per action across the repository: a bump changes every use.
    pins: dict[str, set[str]] = {}
    for p in WORKFLOWS + ACTIONS:
        for ref, _ in uses_lines(p):
            if not ref.startswith("./"):
                pins.setdefault(ref.split("@")[0], set()).add(ref.split("@")[1])
    assert {a: s for a, s in pins.items() if len(s) > 1} == {}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_permissions_and_concurrency(path):
    doc = load(path)
    assert doc.get("permissions") == {}, "the workflow grants nothing; each job asks for what it needs"
    for name, job in doc["jobs"].items():
        perms = job.get("permissions")
        assert isinstance(perms, dict), f"{name}: job without explicit permissions"
        assert all(v in ("read", "write", "none") for v in perms.values())
        uses = [s.get("uses", "") for s in job.get("steps", [])]
        assumes_role = any(u.startswith("aws-actions/configure-aws-credentials@") for u in uses)
        assert (perms.get("id-token") == "write") == assumes_role, f"{name}: id-token: write iff OIDC is used"
        comments = any("gh pr comment" in s.get("run", "") for s in job.get("steps", []))
        assert (perms.get("pull-requests") == "write") == comments, f"{name}: pull-requests: write iff it comments"
        sarif = any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
        assert (perms.get("security-events") == "write") == sarif, f"{name}: security-events: write iff SARIF upload"
        assert "contents" not in perms or perms["contents"] == "read"
    has_concurrency = "concurrency" in doc or all("concurrency" in j for j in doc["jobs"].values())
    assert has_concurrency, "runs of the same PR/ref must not overlap"


def test_triggers():
    assert workflow("pr.yml")["on"] == {"pull_request": {"branches": ["main"]}}
    assert workflow("deploy.yml")["on"] == {"push": {"branches": ["main"]}}
    assert "pull_request" in workflow("ci.yml")["on"]
    ci_steps = workflow("ci.yml")["jobs"]["test"]["steps"]
    assert any(s.get("run", "").startswith("make test") for s in ci_steps)


def test_pr_runs_static_then_plan_per_environment_and_publishes():
    jobs = workflow("pr.yml")["jobs"]
    assert jobs["plan"]["needs"] == "static"
    assert jobs["plan"]["strategy"]["matrix"]["environment"] == ["staging", "production"]
    runs = " ".join(s.get("run", "") for s in jobs["plan"]["steps"])
    assert "envgate check-plan" in runs and "$GITHUB_STEP_SUMMARY" in runs
    sarif = [s for s in jobs["plan"]["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert sarif and sarif[0]["with"]["sarif_file"].endswith("/envgate.sarif")
    assert jobs["comment"]["needs"] == "plan"
    static_runs = " ".join(s.get("run", "") for s in jobs["static"]["steps"])
    assert "-m static" in static_runs and "--report-dir=" in static_runs


def test_deploy_gates_production_behind_staging_and_approval():
    jobs = workflow("deploy.yml")["jobs"]
    staging, production = jobs["staging"], jobs["production"]
    assert staging["environment"] == "staging"
    assert production["needs"] == "staging"
    assert production["environment"] == "production", "a protected environment: manual approval"
    assert production["if"] == "github.ref == 'refs/heads/main'"
    for job, env in ((staging, "staging"), (production, "production")):
        runs = [s.get("run", "") for s in job["steps"]]
        gate = next(i for i, r in enumerate(runs) if "envgate check-plan" in r)
        apply = next(i for i, r in enumerate(runs) if re.match(r"tofu (-chdir=\S+ )?apply ", r))
        live = next(i for i, r in enumerate(runs) if "-m 'live and not local_aws'" in r)
        assert gate < apply < live, f"{env}: plan gate, then apply of that plan, then the live gate"
        assert f"{env}.tfplan" in runs[apply]
        assert f"--env={env}" in runs[live] and "--real-aws" in runs[live]
        assert job["concurrency"]["cancel-in-progress"] is False, "an apply is never cancelled"


def test_setup_action_caches_the_provider_and_bootstraps():
    steps = list(steps_of(load(REPO / ".github" / "actions" / "setup-envgate" / "action.yml")))
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    assert {"actions/setup-python", "opentofu/setup-opentofu", "actions/cache"} <= set(uses)
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    assert "~/.cache/envgate/plugins" in cache["with"]["path"]
    assert steps[-1]["run"].strip() == "scripts/bootstrap"
    from envgate.toolchain import TOFU_VERSION

    inputs = load(REPO / ".github" / "actions" / "setup-envgate" / "action.yml")["inputs"]
    assert inputs["tofu-version"]["default"] == TOFU_VERSION
