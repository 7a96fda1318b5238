"""Live tier: deploy each environment once per session into the local AWS (moto), then probe it with boto3.

Against --real-aws nothing is deployed: the probes only read. The plugin's `deployed`/`probed`/`others`/
`live_findings` fixtures make each deployment once per session per environment under a file lock in the
session's shared temp dir (envgate.deploy.run_once), so a worker that needs another environment's ARNs (the
isolation tests) waits for, or makes, that one deployment. Environments are parameters in their own xdist
group: `-n 2 --dist loadgroup` runs them in parallel.
"""

from __future__ import annotations

import pytest

from envgate.pytest_plugin import envs_of


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "env" in metafunc.fixturenames:
        envs = envs_of(metafunc.config)
        metafunc.parametrize("env", [pytest.param(e, id=e, marks=pytest.mark.xdist_group(e)) for e in envs])
