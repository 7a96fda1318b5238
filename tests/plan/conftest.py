"""Plan tier: one `tofu plan` per environment per session (or --plan-file ENV=PATH), shared by xdist workers.

Environments are test parameters, each in its own xdist group (`-n 2 --dist loadgroup` runs them in
parallel; one worker plans one environment). The plan itself is made once per session under a file lock
keyed by the environment (envgate.deploy.run_once), against the local AWS the S3 backend needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from envgate import deploy, engine, plan as planmod
from envgate.contract import Contract, load_contract
from envgate.errors import EnvgateError
from envgate.pytest_plugin import envs_of
from envgate.findings import Finding
from envgate.resource import Resource
from envgate.waivers import Waivers, load_waivers


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "env" in metafunc.fixturenames:
        envs = envs_of(metafunc.config)
        metafunc.parametrize("env", [pytest.param(e, id=e, marks=pytest.mark.xdist_group(e)) for e in envs])


@dataclass
class Planned:
    env: str
    source: str                     # the plan file shown in messages
    doc: dict
    resources: list[Resource]
    findings: list[Finding]
    commands: list[str] = field(default_factory=list)
    seconds: float | None = None

    def reproduce(self) -> str:
        return "\n".join(f"  $ {c}" for c in self.commands) if self.commands else f"  (plan file {self.source})"


@pytest.fixture(scope="session")
def contract() -> Contract:
    return load_contract()


@pytest.fixture(scope="session")
def waivers(contract) -> Waivers:
    return load_waivers(contract=contract)


@pytest.fixture(scope="session")
def planned(pytestconfig, request, repo_root: Path, tmp_path_factory, contract, waivers):
    """planned(env) -> Planned: the environment's plan normalized and evaluated at the plan gate (cached)."""
    cache: dict[str, Planned] = {}
    shared = deploy.shared_dir(tmp_path_factory)

    def get(env: str) -> Planned:
        if env in cache:
            return cache[env]
        plan_file = pytestconfig.envgate_plan_files.get(env)
        try:
            if plan_file:
                doc, source, commands, seconds = planmod.load_plan(plan_file), str(plan_file), [], None
            else:
                target = request.getfixturevalue("aws_target")
                toolchain = request.getfixturevalue("toolchain")
                record = deploy.plan_once(shared, repo_root, env, toolchain, target)
                doc = planmod.load_plan(record["plan_file"])
                source, commands, seconds = f"tofu show -json ({env})", record["commands"], record["seconds"]
            planmod.check_environment(doc, env, contract.variables["name"], source)
            resources = engine.plan_resources(doc, env, repo_root, contract, source)
            findings = engine.evaluate(resources, env, "plan", contract, waivers=waivers)
        except EnvgateError as exc:
            pytest.fail(str(exc), pytrace=False)
        cache[env] = Planned(env, source, doc, resources, findings, list(commands), seconds)
        return cache[env]

    return get
