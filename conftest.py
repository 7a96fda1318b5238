"""Root conftest: the envgate option group, shared session fixtures, and the real-AWS guard."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from envgate import localaws
from envgate.errors import EnvgateError

REPO = Path(__file__).resolve().parent


def _known_envs() -> list[str]:
    return sorted(p.stem for p in (REPO / "environments").glob("*.tfvars"))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("envgate", "envgate gates")
    group.addoption("--env", action="append", default=[], metavar="NAME",
                    help="environment(s) to gate (repeatable or comma-separated); default: all with a tfvars file")
    group.addoption("--endpoint", default=os.environ.get("ENVGATE_ENDPOINT", ""), metavar="URL",
                    help="AWS-compatible endpoint on loopback (an already running moto); default: start moto")
    group.addoption("--real-aws", action="store_true", default=os.environ.get("ENVGATE_REAL_AWS") == "1",
                    help="probe real AWS with the ambient credentials (no endpoint, nothing is deployed)")
    group.addoption("--region", default=os.environ.get("AWS_REGION", localaws.DEFAULT_REGION),
                    help=f"AWS region (default {localaws.DEFAULT_REGION}: moto serves DSQL there)")
    group.addoption("--plan-file", action="append", default=[], metavar="ENV=PATH",
                    help="check a plan JSON made elsewhere (`tofu show -json`) instead of planning")


def pytest_configure(config: pytest.Config) -> None:
    envs = [e for raw in config.getoption("--env") for e in raw.split(",") if e]
    known = _known_envs()
    unknown = [e for e in envs if e not in known]
    if unknown:
        raise pytest.UsageError(f"--env: unknown environment {', '.join(unknown)} (known: {', '.join(known)})")
    config.envgate_envs = envs or known
    endpoint = config.getoption("--endpoint")
    if endpoint and config.getoption("--real-aws"):
        raise pytest.UsageError("--endpoint and --real-aws exclude each other")
    if not re.fullmatch(r"[a-z]{2}(-gov)?-[a-z]+-\d", config.getoption("--region")):
        raise pytest.UsageError(f"--region: not an AWS region code: {config.getoption('--region')!r}")
    if endpoint and not localaws.is_loopback(endpoint):
        raise pytest.UsageError(f"--endpoint must be a loopback URL (the local AWS), got {endpoint}; use --real-aws for AWS")
    plan_files = {}
    for item in config.getoption("--plan-file"):
        env, sep, path = item.partition("=")
        if not sep or env not in known:
            raise pytest.UsageError(f"--plan-file: expected ENV=PATH with ENV one of {', '.join(known)}, got {item!r}")
        if not Path(path).is_file():
            raise pytest.UsageError(f"--plan-file: {path}: no such file")
        plan_files[env] = Path(path)
    config.envgate_plan_files = plan_files
    _share_one_moto(config)


def _share_one_moto(config: pytest.Config) -> None:
    """Under xdist every worker must see the same AWS (isolation checks span environments):
    the controller starts one moto and hands its endpoint to the workers through the options."""
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return
    if config.getoption("--endpoint") or config.getoption("--real-aws"):
        return
    log = Path(config.rootpath) / "reports" / "moto.log"
    log.parent.mkdir(exist_ok=True)
    server = localaws.MotoServer(log=log).start()
    config.add_cleanup(server.stop)
    config.option.endpoint = server.endpoint
    # Workers re-parse the command line: the --endpoint default reads this variable.
    os.environ["ENVGATE_ENDPOINT"] = server.endpoint


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def envs(pytestconfig) -> list[str]:
    return pytestconfig.envgate_envs


@pytest.fixture(scope="session")
def toolchain():
    """tofu + the hashicorp/aws mirror (built or found by scripts/bootstrap; cached)."""
    from envgate import toolchain as tc

    try:
        return tc.ensure()
    except EnvgateError as exc:
        pytest.fail(f"toolchain: {exc} (run scripts/bootstrap)", pytrace=False)


@pytest.fixture(scope="session")
def aws_target(pytestconfig, tmp_path_factory):
    """The AWS the live and apply tests talk to: moto on loopback unless --endpoint/--real-aws."""
    from envgate.stack import Target

    region = pytestconfig.getoption("--region")
    if pytestconfig.getoption("--real-aws"):
        yield Target(endpoint=None, region=region)
        return
    endpoint = pytestconfig.getoption("--endpoint")
    if endpoint:
        yield Target(endpoint=endpoint, region=region)
        return
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with localaws.MotoServer(log=log) as server:
        yield Target(endpoint=server.endpoint, region=region)


# Every call any test made against real AWS (--real-aws): reported, and checked, at session end.
REAL_AWS_CALLS: dict[str, object] = {}


@pytest.fixture(autouse=True)
def _no_real_aws(pytestconfig, request):
    """Prowler-style guard: unless --real-aws, any boto3 request to a non-loopback host fails. With --real-aws,
    every boto3 call of every test may only be an allow-listed read (envgate.allowlist)."""
    if pytestconfig.getoption("--real-aws"):
        from envgate.contract import load_contract
        from envgate.guard import CallLog, allow_listed_only
        from envgate.live import STATE_KEY

        target = request.getfixturevalue("aws_target")
        states = frozenset((target.state_bucket, f"env:/{spec.workspace}/{STATE_KEY}")
                           for spec in load_contract().environments.values())
        log = REAL_AWS_CALLS.setdefault("log", CallLog())
        with allow_listed_only(log, states):
            yield
        return
    from envgate.guard import loopback_only

    with loopback_only():
        yield


def pytest_sessionfinish(session: pytest.Session) -> None:
    log = REAL_AWS_CALLS.get("log")
    if log is None:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line(f"envgate --real-aws: {log.total} allow-listed AWS call(s) made, {len(log.refused)} "
                            f"refused: {', '.join(sorted(set(log.refused))) or 'none'}")
    if log.refused:  # a refused call fails its test; this also catches one a test swallowed
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
