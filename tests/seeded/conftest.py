"""Seeded violations for the plan and live gates (policies/seeded/plan.yaml, live.yaml), run in a private moto.

Format: the static catalogue's (envgate.seeded.SeededCase), so one loader and one meta test cover every
gate. Two additions, both still plain SeededCase fields:
  * `file: aws:<service>` (live only) seeds drift behind tofu's back instead of editing a file: `find` is
    the boto3 operation, `replace` its keyword arguments as JSON.
  * placeholders: `${ENV.OUTPUT}` / `${ENV.OUTPUT.KEY}` (a deployed environment's tofu output) in
    `replace` and `message`; `{where:ADDRESS}` in `message` is that resource block's `file:line`.
A plan case whose plan tofu refuses (a variable validation) passes when `message` is in tofu's error.

Plan cases of one environment share one initialised scratch copy (edit, plan, restore: ~10 s a case).
Live cases share one deployment of each environment they name in a private moto (~85 s an environment);
every drift touches its own resource, and the clean baseline is evaluated before any drift.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import tftest

from envgate import deploy, engine, live, plan as planmod, stack
from envgate.contract import load_contract
from envgate.errors import EnvgateError
from envgate.findings import Finding, Outcome
from envgate.seeded import SeededCase
from seedlib import envs_of, fill, load_cases

@pytest.fixture(scope="session")
def seed_target(aws_target, shared, tmp_path_factory):
    """A private moto for the seeded cases: nothing seeded can reach the deployments other tests probe."""
    log = tmp_path_factory.mktemp("seeded-moto") / "moto.log"
    with deploy.private_moto(shared, log, aws_target.region) as target:
        yield target


@dataclass
class PlanOutcome:
    fails: list[Finding] = field(default_factory=list)
    refused: str | None = None
    reproduce: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def seeded_plan(seed_target, toolchain, repo_root, tmp_path_factory):
    """seeded_plan(case) -> (expected message, PlanOutcome): the case seeded into its environment's
    initialised scratch copy, planned, evaluated, and the file restored."""
    runs: dict[str, stack.StackRun] = {}

    def run_case(case: SeededCase) -> tuple[str, PlanOutcome]:
        if case.env not in runs:
            workdir = tmp_path_factory.mktemp(f"seeded-plan-{case.env}")
            runs[case.env] = stack.prepare(repo_root, case.env, toolchain, seed_target, workdir)
        run = runs[case.env]
        root = run.workdir
        path = root / case.file
        original = path.read_text()
        try:
            expected = case.apply(root)
            expected = fill(expected, {}, engine.source_locations(root))
            outcome = PlanOutcome(reproduce=[*run.commands[:1], f"(seeded: {case.file} edited as in "
                                             f"policies/seeded/plan.yaml#{case.id})", run.commands[-1]])
            try:
                raw = run.tf.plan(output=True, tf_var_file=list(run.var_files))._raw
            except tftest.TerraformTestError as exc:
                outcome.refused = "\n".join(str(a) for a in exc.args)  # tofu's own text, newlines intact
                return expected, outcome
            doc = planmod.load_plan_text(json.dumps(raw), f"tofu show -json ({case.id})")
            resources = engine.plan_resources(doc, case.env, root, load_contract(), f"tofu show -json ({case.id})")
            outcome.fails = [f for f in engine.evaluate(resources, case.env, "plan")
                             if f.outcome is Outcome.FAIL]
            return expected, outcome
        finally:
            path.write_text(original)

    return run_case


@dataclass
class LiveWorld:
    target: stack.Target
    root: Path
    outputs: dict[str, dict]
    locations: dict[str, tuple[str, int]]
    baseline: dict[str, list[str]]

    def expected(self, case: SeededCase) -> str:
        return fill(case.message, self.outputs, self.locations)

    def fails(self, env: str) -> list[Finding]:
        resources = live.probe(self.target, env, root=self.root).resources
        return [f for f in engine.evaluate(resources, env, "live") if f.outcome is Outcome.FAIL]


@pytest.fixture(scope="session")
def live_world(seed_target, toolchain, repo_root, tmp_path_factory) -> Iterator[LiveWorld]:
    """Every environment the live catalogue names, deployed once into the private moto; its clean baseline."""
    envs = envs_of(load_cases("live"))
    outputs, baseline = {}, {}
    # One snapshot of the stack for every deployment and every file:line: the repository may change meanwhile.
    snapshot = tmp_path_factory.mktemp("seeded-live-stack")
    for name in ("terraform", "environments", "policies"):
        shutil.copytree(repo_root / name, snapshot / name, ignore=stack.SCRATCH_IGNORE)
    locations = engine.source_locations(snapshot)
    world = LiveWorld(seed_target, snapshot, outputs, locations, baseline)
    for env in envs:
        run = stack.prepare(snapshot, env, toolchain, seed_target, tmp_path_factory.mktemp(f"seeded-live-{env}"))
        try:
            run.apply()
        except EnvgateError as exc:
            pytest.fail(f"seeded live deployment of {env} failed: {exc}", pytrace=False)
        outputs[env] = run.outputs()
        baseline[env] = [f.message for f in world.fails(env)]
    yield world
