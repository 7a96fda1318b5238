"""Live tier: deploy each environment once per session into the local AWS (moto), then probe it with boto3.

Against --real-aws nothing is deployed: the probes only read. Deployments are made once per session per
environment under a file lock in the session's shared temp dir (envgate.deploy.run_once), so a worker
that needs another environment's ARNs (the isolation tests) waits for, or makes, that one deployment.
Environments are parameters in their own xdist group: `-n 2 --dist loadgroup` runs them in parallel.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from envgate import deploy, engine, live
from envgate.contract import Contract, load_contract
from envgate.errors import EnvgateError
from envgate.pytest_plugin import envs_of
from envgate.waivers import load_waivers


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "env" in metafunc.fixturenames:
        envs = envs_of(metafunc.config)
        metafunc.parametrize("env", [pytest.param(e, id=e, marks=pytest.mark.xdist_group(e)) for e in envs])


@pytest.fixture(scope="session")
def contract() -> Contract:
    return load_contract()


@pytest.fixture(scope="session")
def shared(tmp_path_factory) -> Path:
    return deploy.shared_dir(tmp_path_factory)


@pytest.fixture(scope="session")
def deployed(request, aws_target, repo_root, shared):
    """deployed(env) -> Deployment on the local AWS (made once per session), or None against real AWS."""

    def get(env: str) -> deploy.Deployment | None:
        if not aws_target.endpoint:
            return None
        toolchain = request.getfixturevalue("toolchain")
        try:
            return deploy.deploy_once(shared, repo_root, env, toolchain, aws_target)
        except EnvgateError as exc:
            pytest.fail(f"{env}: deployment for the live gate failed: {exc}", pytrace=False)

    return get


@pytest.fixture(scope="session")
def probed(aws_target, deployed, contract, repo_root):
    """probed(env) -> ProbeResult of the deployed environment (one probe per environment per process);
    probed(env, deploy=False) probes whatever is there (an environment this session does not gate)."""
    cache: dict[str, live.ProbeResult] = {}

    def get(env: str, deploy: bool = True) -> live.ProbeResult:
        if env not in cache:
            if deploy:
                deployed(env)
            try:
                cache[env] = live.probe(aws_target, env, contract, root=repo_root)
            except EnvgateError as exc:
                pytest.fail(str(exc), pytrace=False)
        return cache[env]

    return get


@pytest.fixture(scope="session")
def others(pytestconfig, probed, contract):
    """others(env) -> {name: resources} of every other environment of the contract on the target: the
    selected ones deployed first (moto), the rest as found. EG013 checks `env` against them."""

    def get(env: str) -> dict[str, list]:
        selected = envs_of(pytestconfig)
        found = {name: probed(name, deploy=name in selected).resources for name in contract.environments
                 if name != env}
        return {name: resources for name, resources in found.items() if resources}

    return get


@pytest.fixture(scope="session")
def live_findings(probed, others, contract):
    cache: dict[str, list] = {}
    waivers = load_waivers(contract=contract)

    def get(env: str) -> list:
        if env not in cache:
            cache[env] = engine.evaluate(probed(env).resources, env, "live", contract, waivers=waivers,
                                         others=others(env))
        return cache[env]

    return get
