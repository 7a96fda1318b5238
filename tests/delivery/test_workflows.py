"""Issue 6: the GitHub workflows pass actionlint, and keep the delivery rules (pinned actions, least
permissions, OIDC per environment, protected production after staging, concurrency, SARIF upload).
Issue 14: deploy.yml follows the promotion order dev -> staging -> production, each later environment
running `envgate promote` on the earlier one's live-gate report before it applies."""

from __future__ import annotations

import copy
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
    assert workflow("deploy.yml")["on"] == {"push": {"branches": ["dev", "main"]}}
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


PROMOTION = ("dev", "staging", "production")
MAIN_ONLY = "github.ref == 'refs/heads/main'"


def run(step: dict) -> str:
    return step.get("run") or ""


def uses(step: dict, action: str) -> bool:
    return (step.get("uses") or "").startswith(action + "@")


def _index(steps: list[dict], what: str, pred) -> tuple[int | None, list[str]]:
    found = [i for i, s in enumerate(steps) if pred(s)]
    if len(found) != 1:
        return None, [f"{what}: expected one step, found {len(found)}"]
    return found[0], []


def promotion_problems(doc: dict) -> list[str]:
    """What breaks the promotion order dev -> staging -> production in a deploy workflow (empty: none).

    Every environment: its own job, GitHub environment (its OIDC role), concurrency group that never cancels,
    and the steps plan gate < apply of that plan < live gate, the live gate writing reports/live-ENV. dev runs
    on every trigger (push to dev and main); each later job needs the earlier one, runs on main only, and
    downloads the earlier job's live-gate report (the artifact the earlier job uploads after its live gate)
    before an `envgate promote EARLIER ENV` on that report and its own plan JSON, placed after its plan gate
    and before its apply, unconditional and not allowed to fail."""
    problems: list[str] = []
    branches = ((doc.get("on") or {}).get("push") or {}).get("branches")
    if branches != ["dev", "main"]:
        problems.append(f"trigger: push to [dev, main] expected, got {branches}")
    jobs = doc.get("jobs") or {}
    if set(jobs) != set(PROMOTION):
        problems.append(f"jobs: {sorted(jobs)} instead of {list(PROMOTION)}")
    for n, env in enumerate(PROMOTION):
        job = jobs.get(env)
        if job is None:
            continue
        where = f"{env} job"
        prev = PROMOTION[n - 1] if n else None
        if job.get("environment") != env:
            problems.append(f"{where}: environment {job.get('environment')!r}, not {env!r} (its OIDC role)")
        conc = job.get("concurrency") or {}
        if conc.get("group") != f"deploy-{env}" or conc.get("cancel-in-progress") is not False:
            problems.append(f"{where}: concurrency group deploy-{env} with cancel-in-progress: false expected")
        steps = job.get("steps") or []
        gate, p1 = _index(steps, f"{where}: plan gate", lambda s: "envgate check-plan" in run(s))
        apply, p2 = _index(steps, f"{where}: tofu apply", lambda s: re.match(r"tofu (-chdir=\S+ )?apply ", run(s)))
        live, p3 = _index(steps, f"{where}: live gate", lambda s: "-m 'live and not local_aws'" in run(s))
        problems += p1 + p2 + p3
        if None not in (gate, apply, live):
            if not gate < apply < live:
                problems.append(f"{where}: plan gate, then apply of that plan, then the live gate")
            if f"--env {env} " not in run(steps[gate]) + " ":
                problems.append(f"{where}: the plan gate does not check {env}")
            if f"{env}.tfplan" not in run(steps[apply]):
                problems.append(f"{where}: apply does not apply {env}.tfplan")
            if steps[apply].get("if") or steps[apply].get("continue-on-error"):
                problems.append(f"{where}: apply must run only when every earlier step passed")
            live_run = run(steps[live])
            if f"--env={env}" not in live_run or "--real-aws" not in live_run:
                problems.append(f"{where}: the live gate does not run on the real {env}")
            if f"--report-dir=reports/live-{env}" not in live_run:
                problems.append(f"{where}: the live gate does not write reports/live-{env}")
        nxt = PROMOTION[n + 1] if n + 1 < len(PROMOTION) else None
        if nxt is not None:
            up, p = _index(steps, f"{where}: upload of live-{env}",
                           lambda s: uses(s, "actions/upload-artifact") and (s.get("with") or {}).get("name")
                           == f"live-{env}")
            problems += p
            if up is not None:
                if (steps[up].get("with") or {}).get("path") != f"reports/live-{env}":
                    problems.append(f"{where}: artifact live-{env} does not hold reports/live-{env}")
                if live is not None and up < live:
                    problems.append(f"{where}: live-{env} uploaded before the live gate ran")
        if prev is None:
            if "needs" in job or "if" in job:
                problems.append(f"{where}: must run on every push to dev and main (no needs, no if)")
            continue
        if job.get("needs") != prev:
            problems.append(f"{where}: needs {job.get('needs')!r}, not {prev!r}")
        if job.get("if") != MAIN_ONLY:
            problems.append(f"{where}: if {job.get('if')!r}, not main only")
        down, p4 = _index(steps, f"{where}: download of live-{prev}",
                          lambda s: uses(s, "actions/download-artifact"))
        promote, p5 = _index(steps, f"{where}: envgate promote", lambda s: "envgate promote" in run(s))
        problems += p4 + p5
        if down is not None:
            w = steps[down].get("with") or {}
            if w.get("name") != f"live-{prev}" or w.get("path") != f"reports/live-{prev}":
                problems.append(f"{where}: downloads {w.get('name')!r} into {w.get('path')!r}, not live-{prev} "
                                f"into reports/live-{prev}")
        if promote is None:
            continue
        step = steps[promote]
        words = run(step).split()
        i = words.index("promote")
        if words[i + 1:i + 3] != [prev, env]:
            problems.append(f"{where}: `envgate promote {' '.join(words[i + 1:i + 3])}`, not `promote {prev} {env}`")
        if f"--from-report reports/live-{prev}" not in " ".join(words):
            problems.append(f"{where}: promote does not read the {prev} live-gate report reports/live-{prev}")
        if '--plan-json "$PLAN_JSON"' not in run(step) or \
                (step.get("env") or {}).get("PLAN_JSON") != "${{ steps.plan.outputs.plan-json }}":
            problems.append(f"{where}: promote does not compare with this job's plan JSON")
        if step.get("if") or step.get("continue-on-error"):
            problems.append(f"{where}: promote must run, and its failure must stop the deploy")
        if down is not None and not down < promote:
            problems.append(f"{where}: promote runs before the {prev} report is downloaded")
        if gate is not None and apply is not None and not gate < promote < apply:
            problems.append(f"{where}: promote must come after the plan gate and before tofu apply")
    return problems


def test_deploy_follows_the_promotion_order():
    doc = workflow("deploy.yml")
    assert promotion_problems(doc) == []
    production = doc["jobs"]["production"]
    assert production["environment"] == "production", "a protected environment: manual approval"


def _move(steps: list[dict], pred, after) -> None:
    step = steps.pop(next(i for i, s in enumerate(steps) if pred(s)))
    steps.insert(next(i for i, s in enumerate(steps) if after(s)) + 1, step)


def _promote(s: dict) -> bool:
    return "envgate promote" in s.get("run", "")


def _apply(s: dict) -> bool:
    return s.get("run", "").startswith("tofu -chdir=")


def _mutate_promote_after_apply(doc):
    _move(doc["jobs"]["production"]["steps"], _promote, _apply)


def _mutate_no_promote(doc):
    doc["jobs"]["staging"]["steps"] = [s for s in doc["jobs"]["staging"]["steps"] if not _promote(s)]


def _mutate_download_after_promote(doc):
    _move(doc["jobs"]["staging"]["steps"], lambda s: s.get("uses", "").startswith("actions/download-artifact@"),
          _promote)


def _mutate_artifact_name(doc):
    up = next(s for s in doc["jobs"]["dev"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    up["with"]["name"] = "live-dev-report"


def _mutate_production_skips_staging(doc):
    doc["jobs"]["production"]["needs"] = "dev"


def _mutate_staging_on_dev_branch(doc):
    del doc["jobs"]["staging"]["if"]


def _mutate_promote_wrong_report(doc):
    step = next(s for s in doc["jobs"]["production"]["steps"] if _promote(s))
    step["run"] = step["run"].replace("--from-report reports/live-staging", "--from-report reports/live-dev")


def _mutate_promote_may_fail(doc):
    next(s for s in doc["jobs"]["production"]["steps"] if _promote(s))["continue-on-error"] = True


@pytest.mark.parametrize("mutate, problem", [pytest.param(m, p, id=m.__name__.removeprefix("_mutate_")) for m, p in [
    (_mutate_promote_after_apply, "production job: promote must come after the plan gate and before tofu apply"),
    (_mutate_no_promote, "staging job: envgate promote: expected one step, found 0"),
    (_mutate_download_after_promote, "staging job: promote runs before the dev report is downloaded"),
    (_mutate_artifact_name, "dev job: upload of live-dev: expected one step, found 0"),
    (_mutate_production_skips_staging, "production job: needs 'dev', not 'staging'"),
    (_mutate_staging_on_dev_branch, "staging job: if None, not main only"),
    (_mutate_promote_wrong_report,
     "production job: promote does not read the staging live-gate report reports/live-staging"),
    (_mutate_promote_may_fail, "production job: promote must run, and its failure must stop the deploy"),
]])
def test_a_broken_promotion_order_is_caught(mutate, problem):
    doc = copy.deepcopy(workflow("deploy.yml"))
    mutate(doc)
    assert problem in promotion_problems(doc)


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
