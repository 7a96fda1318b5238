"""Plan tier: one `tofu plan` per environment per session (or --plan-file ENV=PATH), shared by xdist workers.

The plugin's `planned` fixture makes each plan once per session under a file lock keyed by the environment
(envgate.deploy.run_once), against the local AWS the S3 backend needs. Environments are test parameters,
each in its own xdist group (`-n 2 --dist loadgroup` runs them in parallel; one worker plans one environment).
"""

from __future__ import annotations

import pytest

from envgate.pytest_plugin import envs_of


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "env" in metafunc.fixturenames:
        envs = envs_of(metafunc.config)
        metafunc.parametrize("env", [pytest.param(e, id=e, marks=pytest.mark.xdist_group(e)) for e in envs])
