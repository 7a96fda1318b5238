"""envgate's pytest plugin (entry point `pytest11: envgate`): installed, it gates the stack of the repository
pytest runs in, from that repository's contract (policies/contract.yaml) alone.

It owns the `envgate` option group (each option with an ini or environment equivalent), the tier markers,
the session fixtures (`repo_root`, `envs`, `toolchain`, `aws_target`, and the gated stack's `contract`,
`waivers`, `planned`, `deployed`, `probed`, `others`, `live_findings`), a collector that turns the repository's
policies/contract.yaml into `static[ENV]`/`plan[ENV]`/`live[ENV]` items, the real-AWS guard, and the reports:
with `--report-dir DIR` it writes DIR/findings.json, DIR/envgate.sarif and DIR/summary.md at the end of the
session (JUnit XML comes from pytest's own --junitxml). Under xdist each worker writes DIR/findings-<worker>.json
when its session ends; the controller merges those files at its own session end, then removes them.

Only what a test hands to the `envgate_record` fixture reaches the reports: the engine returns findings and
keeps none, so a self-test's deliberate failures are never the stack's.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from envgate import localaws, report as _report
from envgate.errors import EnvgateError
from envgate.findings import Finding

WORKER_GLOB = "findings-*.json"
RECORDED = pytest.StashKey[list]()  # (Finding, test node id) of this process, for the reports
MARKERS = {
    "static": "the configuration evaluated per environment, no tofu or AWS needed (pre-commit tier)",
    "plan": "runs tofu plan per environment and checks the plan JSON",
    "live": "deploys to / probes an AWS endpoint (the local AWS by default)",
    "slow": "takes more than a few seconds",
    "engine": "engine self-tests on fixtures, corpora and synthetic input (not a tier of the stack)",
    "selftest": "envgate's proofs on the real stack: seeded violations and faults in scratch copies and private "
                "motos (not a tier of the stack)",
    "local_aws": "deploys, seeds or destroys, so it runs on the local AWS only (refused with --real-aws)",
}
REGION = re.compile(r"[a-z]{2}(-gov)?-[a-z]+-\d")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("envgate", "envgate gates")
    group.addoption("--env", action="append", default=[], metavar="NAME",
                    help="environment(s) to gate (repeatable or comma-separated); default: ini envgate_envs, "
                         "else every environment of the contract")
    group.addoption("--endpoint", default=os.environ.get("ENVGATE_ENDPOINT", ""), metavar="URL",
                    help="AWS-compatible endpoint on loopback (an already running moto; env ENVGATE_ENDPOINT); "
                         "default: start moto")
    group.addoption("--real-aws", action="store_true", default=os.environ.get("ENVGATE_REAL_AWS") == "1",
                    help="probe real AWS with the ambient credentials, read-only (env ENVGATE_REAL_AWS=1)")
    group.addoption("--region", default=None,
                    help=f"AWS region (ini envgate_region, env AWS_REGION; default {localaws.DEFAULT_REGION})")
    group.addoption("--plan-file", action="append", default=[], metavar="ENV=PATH",
                    help="check a plan JSON made elsewhere (`tofu show -json`) instead of planning")
    group.addoption("--probe-only", action="store_true", default=None,
                    help="the stack is already deployed on --endpoint (by your pipeline): the live tier probes what "
                         "is there and deploys nothing (ini envgate_probe_only; always so with --real-aws)")
    group.addoption("--report-dir", default=None, metavar="DIR",
                    help="write findings as DIR/findings.json, DIR/envgate.sarif and DIR/summary.md "
                         "(ini envgate_report_dir)")
    parser.addini("envgate_envs", "environments to gate by default", type="args", default=[])
    parser.addini("envgate_region", "AWS region", default="")
    parser.addini("envgate_report_dir", "directory for findings.json, envgate.sarif and summary.md", default="")
    parser.addini("envgate_probe_only", "the live tier deploys nothing, it probes what is deployed", type="bool",
                  default=False)
    parser.addini("envgate_collect", "collect policies/contract.yaml as the gate's test items (static/plan/live per "
                  "environment)", type="bool", default=True)


def _known_envs(root: Path) -> list[str]:
    from envgate.contract import load_contract

    if not (root / "policies" / "contract.yaml").is_file():
        return []
    try:
        return list(load_contract(root / "policies" / "contract.yaml").environments)
    except EnvgateError as exc:
        raise pytest.UsageError(str(exc)) from None


def gated_root(config: pytest.Config) -> Path:
    """The repository whose stack is gated: pytest's rootdir when it holds a contract, else envgate's default."""
    from envgate.paths import repo_root

    root = Path(config.rootpath)
    return root if (root / "policies" / "contract.yaml").is_file() else repo_root()


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    root = gated_root(config)
    config.envgate_root = root
    asked = [e for raw in config.getoption("--env") or config.getini("envgate_envs") for e in raw.split(",") if e]
    known = _known_envs(root) if asked or config.getoption("--plan-file") else None
    if asked and not known:
        raise pytest.UsageError(f"--env: no contract at {root}/policies/contract.yaml to name environments")
    unknown = [e for e in asked if e not in (known or [])]
    if unknown:
        raise pytest.UsageError(f"--env: unknown environment {', '.join(unknown)} "
                                f"(known: {', '.join(sorted(known or []))})")
    config._envgate_asked = asked
    region = config.getoption("--region") or config.getini("envgate_region") or os.environ.get(
        "AWS_REGION", localaws.DEFAULT_REGION)
    if not REGION.fullmatch(region):
        raise pytest.UsageError(f"--region: not an AWS region code: {region!r}")
    config.envgate_region = region
    endpoint = config.getoption("--endpoint")
    if endpoint and config.getoption("--real-aws"):
        raise pytest.UsageError("--endpoint and --real-aws exclude each other")
    if endpoint and not localaws.is_loopback(endpoint):
        raise pytest.UsageError(f"--endpoint must be a loopback URL (the local AWS), got {endpoint}; use --real-aws for AWS")
    probe_only = config.getoption("--probe-only") or config.getini("envgate_probe_only")
    if probe_only and not (endpoint or config.getoption("--real-aws")):
        raise pytest.UsageError("--probe-only: name the --endpoint the stack is deployed on (or --real-aws)")
    config.envgate_probe_only = bool(probe_only)
    plan_files = {}
    for item in config.getoption("--plan-file"):
        env, sep, path = item.partition("=")
        if not sep or env not in (known or []):
            raise pytest.UsageError(f"--plan-file: expected ENV=PATH with ENV one of {', '.join(known or [])}, got {item!r}")
        if not Path(path).is_file():
            raise pytest.UsageError(f"--plan-file: {path}: no such file")
        plan_files[env] = Path(path)
    config.envgate_plan_files = plan_files
    _share_one_moto(config)
    config.stash[RECORDED] = []
    directory = config.getoption("--report-dir") or config.getini("envgate_report_dir")
    if directory:
        path = Path(directory)
        if not path.is_absolute():
            path = Path(config.invocation_params.dir) / path
        config.pluginmanager.register(ReportWriter(config, path), "envgate-report-writer")


def envs_of(config: pytest.Config) -> list[str]:
    """The environments this session gates (the contract is read once, when a test first asks)."""
    if not hasattr(config, "_envgate_envs"):
        config._envgate_envs = config._envgate_asked or _known_envs(config.envgate_root)
    return config._envgate_envs


@pytest.hookimpl(trylast=True)  # after -m/-k deselected what the user narrowed away
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With --real-aws, a selected test that cannot run there is an error, never a silent skip."""
    if not config.getoption("--real-aws"):
        return
    missing = [e for e in envs_of(config) if e not in config.envgate_plan_files]
    blocked = [i for i in items if i.get_closest_marker("local_aws")
               or (i.get_closest_marker("plan") and missing)]
    if blocked:
        planless = missing and any(i.get_closest_marker("plan") and not i.get_closest_marker("local_aws")
                                   for i in blocked)
        why = f"the plan tier needs --plan-file for {', '.join(missing)}" if planless else "they deploy, seed or destroy"
        raise pytest.UsageError(
            f"--real-aws: {len(blocked)} selected test(s) cannot run against real AWS ({why}), e.g. "
            f"{blocked[0].nodeid}: narrow the run with -m 'live and not local_aws' (or pass the plan files)")


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
def repo_root(pytestconfig) -> Path:
    return pytestconfig.envgate_root


@pytest.fixture(scope="session")
def envs(pytestconfig) -> list[str]:
    return envs_of(pytestconfig)


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

    region = pytestconfig.envgate_region
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


@pytest.fixture
def envgate_record(request) -> Callable[[Iterable[Finding]], None]:
    """record(findings): this test's verdicts on the stack, for --report-dir (attributed to the test)."""
    recorded = request.config.stash[RECORDED]

    def record(findings: Iterable[Finding]) -> None:
        items = list(findings)
        bad = [f for f in items if not isinstance(f, Finding)]
        if bad:
            raise EnvgateError(f"envgate_record: expected Finding objects, got {type(bad[0]).__name__}")
        recorded.extend((f, request.node.nodeid) for f in items)

    return record


# --- the gated stack: contract, plans, deployments and probes, made once per session ----------------------

@pytest.fixture(scope="session")
def contract(repo_root: Path):
    """The gated repository's contract (policies/contract.yaml)."""
    from envgate.contract import load_contract

    try:
        return load_contract(repo_root / "policies" / "contract.yaml")
    except EnvgateError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def waivers(repo_root: Path, contract):
    """policies/waivers.yaml of the gated repository; None when it has none."""
    from envgate.waivers import load_waivers

    path = repo_root / "policies" / "waivers.yaml"
    try:
        return load_waivers(path, contract=contract) if path.is_file() else None
    except EnvgateError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def shared(pytestconfig, tmp_path_factory) -> Path:
    """The directory every xdist worker of this session shares (plans, deployments, their locks)."""
    from envgate import deploy

    return deploy.shared_dir(tmp_path_factory, worker=hasattr(pytestconfig, "workerinput"))


@dataclass
class Planned:
    env: str
    source: str                     # the plan file shown in messages
    doc: dict
    resources: list
    findings: list[Finding]
    commands: list[str] = field(default_factory=list)
    seconds: float | None = None

    def reproduce(self) -> str:
        return "\n".join(f"  $ {c}" for c in self.commands) if self.commands else f"  (plan file {self.source})"


@pytest.fixture(scope="session")
def planned(pytestconfig, request, repo_root: Path, shared: Path, contract, waivers):
    """planned(env) -> Planned: the environment's plan (one `tofu plan` per session, or --plan-file ENV=PATH),
    normalized and evaluated at the plan gate."""
    from envgate import deploy, engine, plan as planmod

    cache: dict[str, Planned] = {}

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
            model = engine.parity_model(contract, [env])  # the mirror's plan is judged beside its model's
            others = {model: get(model).resources} if model else None
            findings = engine.evaluate(resources, env, "plan", contract, waivers=waivers, others=others)
        except EnvgateError as exc:
            pytest.fail(str(exc), pytrace=False)
        cache[env] = Planned(env, source, doc, resources, findings, list(commands), seconds)
        return cache[env]

    return get


@pytest.fixture(scope="session")
def deployed(request, aws_target, repo_root: Path, shared: Path):
    """deployed(env) -> Deployment on the local AWS (made once per session), or None against real AWS and with
    --probe-only (what is deployed is probed as it is). In promotion order: an environment is deployed only
    after the one before it among those gated passed its live gate and `promoted(env)` found the same code."""
    from envgate import deploy
    from envgate.findings import Outcome

    def get(env: str):
        if not aws_target.endpoint or request.config.envgate_probe_only:
            return None
        refused = [f for f in request.getfixturevalue("promoted")(env) or () if f.outcome is Outcome.FAIL]
        if refused:
            pytest.fail(f"{env}: not deployed: {len(refused)} PROMOTE FAIL, first: {refused[0].message}", pytrace=False)
        toolchain = request.getfixturevalue("toolchain")
        try:
            return deploy.deploy_once(shared, repo_root, env, toolchain, aws_target)
        except EnvgateError as exc:
            pytest.fail(f"{env}: deployment for the live gate failed: {exc}", pytrace=False)

    return get


@pytest.fixture(scope="session")
def probed(aws_target, deployed, contract, repo_root: Path):
    """probed(env) -> ProbeResult of the deployed environment (one probe per environment per process);
    probed(env, deploy=False) probes whatever is there (an environment this session does not gate)."""
    from envgate import live

    cache: dict = {}

    def get(env: str, deploy: bool = True):
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
def promoted(pytestconfig, request, contract, waivers):
    """promoted(env) -> the PROMOTE findings of `env`'s plan against the code its predecessor in the contract's
    promotion order runs, whose own live gate must have passed (its checks against other environments, parity
    with `env` among them, need `env` deployed: they run in its full live gate afterwards). None for the first
    environment gated, against real AWS and with --probe-only (nothing is deployed: `envgate promote` checks)."""
    from envgate import engine

    cache: dict[str, list | None] = {}

    def get(env: str) -> list | None:
        if env not in cache:
            order = contract.promotion_order(envs_of(pytestconfig))
            local = request.getfixturevalue("aws_target").endpoint and not pytestconfig.envgate_probe_only
            if not local or order.index(env) == 0:
                cache[env] = None
            else:
                source = order[order.index(env) - 1]
                probe = request.getfixturevalue("probed")(source)
                record = engine.evaluate(probe.resources, source, "live", contract, waivers=waivers)
                planned = request.getfixturevalue("planned")(env)
                try:
                    cache[env] = engine.promote(record, source, planned.resources, env, contract,
                                                f"{source}'s live gate in this run")
                except EnvgateError as exc:
                    pytest.fail(str(exc), pytrace=False)
        return cache[env]

    return get


@pytest.fixture(scope="session")
def others(pytestconfig, probed, contract):
    """others(env) -> {name: resources} of every other environment of the contract on the target: the
    selected ones deployed first (local AWS), the rest as found. EG013 checks `env` against them."""

    def get(env: str) -> dict[str, list]:
        selected = envs_of(pytestconfig)
        found = {name: probed(name, deploy=name in selected).resources for name in contract.environments
                 if name != env}
        return {name: resources for name, resources in found.items() if resources}

    return get


@pytest.fixture(scope="session")
def live_findings(probed, others, contract, waivers):
    """live_findings(env) -> the live gate's findings on the deployed environment."""
    from envgate import engine

    cache: dict[str, list] = {}

    def get(env: str) -> list:
        if env not in cache:
            cache[env] = engine.evaluate(probed(env).resources, env, "live", contract, waivers=waivers,
                                         others=others(env))
        return cache[env]

    return get


# --- the gate as test items, from a repository's contract alone ----------------------------------------------

def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    config = parent.config
    if file_path == config.envgate_root / "policies" / "contract.yaml" and config.getini("envgate_collect"):
        return ContractFile.from_parent(parent, path=file_path)
    return None


class ContractFile(pytest.File):
    """policies/contract.yaml as the gate: `static[ENV]`, `plan[ENV]` and `live[ENV]` for each environment,
    marked with their tier, so `pytest -m static|plan|live` gates a repository that has no tests of its own."""

    def collect(self):
        for env in envs_of(self.config):
            for tier, test in (("static", _static_test(env)), ("plan", _plan_test(env)), ("live", _live_test(env))):
                item = pytest.Function.from_parent(self, name=f"{tier}[{env}]", callobj=test)
                item.add_marker(getattr(pytest.mark, tier))
                item.add_marker(pytest.mark.xdist_group(env))
                yield item
        # The repository's own rules owe what envgate's owe: a pass and a fail fixture per gate, each right.
        from envgate.registry import BUILT_IN, load_rules

        built_in = set(load_rules(BUILT_IN).ids)
        for rule in load_rules().rules:
            if rule.id not in built_in:
                item = pytest.Function.from_parent(self, name=f"rule[{rule.id}]", callobj=_rule_test(rule.id))
                item.add_marker(pytest.mark.engine)
                yield item


def _rule_test(rule_id: str) -> Callable[..., None]:
    def test() -> None:
        from envgate import selftest
        from envgate.registry import load_rules

        rules = load_rules()
        found = [f"missing fixture policies/fixtures/{m}" for m in selftest.missing(rules.get(rule_id))]
        try:
            contract = selftest.fixture_contract()
            for case in (c for c in selftest.discover() if c.rule_id == rule_id):
                found += selftest.problems(case, contract, rules)
        except EnvgateError as exc:
            found.append(str(exc))
        if found:
            pytest.fail(f"rule {rule_id}:\n  " + "\n  ".join(found), pytrace=False)
    return test


def _verdict(findings: list[Finding]) -> None:
    from envgate.findings import Outcome

    failed = [f for f in findings if f.outcome is Outcome.FAIL]
    if failed:
        pytest.fail(f"{len(failed)} FAIL:\n  " + "\n  ".join(f"{f.rule_id} {f.message}" for f in failed), pytrace=False)


def _static_test(env: str) -> Callable[..., None]:
    def test(repo_root: Path, contract, waivers, envgate_record) -> None:
        from envgate import engine

        try:
            findings = engine.evaluate_static(repo_root, env, contract, waivers=waivers)
        except EnvgateError as exc:
            pytest.fail(str(exc), pytrace=False)
        envgate_record(findings)
        _verdict(findings)
    return test


def _plan_test(env: str) -> Callable[..., None]:
    def test(planned, envgate_record) -> None:
        findings = planned(env).findings
        envgate_record(findings)
        _verdict(findings)
    return test


def _live_test(env: str) -> Callable[..., None]:
    def test(live_findings, promoted, envgate_record) -> None:
        findings = live_findings(env) + (promoted(env) or [])
        envgate_record(findings)
        _verdict(findings)
    return test


# Every call any test made against real AWS (--real-aws): reported, and checked, at session end.
REAL_AWS_CALLS: dict[str, object] = {}


@pytest.fixture(autouse=True)
def _no_real_aws(pytestconfig, request):
    """Prowler-style guard: unless --real-aws, any boto3 request to a non-loopback host fails. With --real-aws,
    every boto3 call of every test may only be an allow-listed read (envgate.allowlist)."""
    if pytestconfig.getoption("--real-aws"):
        from envgate.contract import load_contract
        from envgate.guard import CallLog, allow_listed_only

        target = request.getfixturevalue("aws_target")
        root = pytestconfig.envgate_root
        contract = load_contract(root / "policies" / "contract.yaml")
        states = frozenset((target.state_bucket, contract.state_object(env, root)) for env in contract.environments)
        log = REAL_AWS_CALLS.setdefault("log", CallLog())
        with allow_listed_only(log, states):
            yield
        return
    from envgate.guard import loopback_only

    with loopback_only():
        yield


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    # pytest runs gc.collect() at exit; the evaluated configurations and policyuniverse's action tables are
    # alive until then, and scanning them is a tenth of the pre-commit tier's time: freeze them instead.
    gc.freeze()
    log = REAL_AWS_CALLS.get("log")
    if log is None:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line(f"envgate --real-aws: {log.total} allow-listed AWS call(s) made, {len(log.refused)} "
                            f"refused: {', '.join(sorted(set(log.refused))) or 'none'}")
    if log.refused:  # a refused call fails its test; this also catches one a test swallowed
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


class ReportWriter:
    def __init__(self, config: pytest.Config, directory: Path) -> None:
        self.config = config
        self.directory = directory
        self.worker = getattr(config, "workerinput", {}).get("workerid")
        self.tests: dict[str, int] = {}
        self.written: dict[str, Path] = {}
        directory.mkdir(parents=True, exist_ok=True)
        if self.worker is None:
            for stale in directory.glob(WORKER_GLOB):
                stale.unlink(missing_ok=True)

    def _mine(self) -> _report.Report:
        entries = self.config.stash[RECORDED]
        return _report.Report([f for f, _ in entries], [t for _, t in entries], dict(self.tests))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.worker is not None:
            return  # the controller sees every worker's reports and counts them once
        if report.when == "call":
            outcome = report.outcome
            if hasattr(report, "wasxfail"):
                outcome = "xfailed" if report.skipped else "xpassed"
        elif report.failed:
            outcome = "error"
        elif report.skipped and report.when == "setup":
            outcome = "skipped"
        else:
            return
        self.tests[outcome] = self.tests.get(outcome, 0) + 1

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        mine = self._mine()
        if self.worker is not None:
            _report.write_json(mine.findings, self.directory / f"findings-{self.worker}.json",
                              attribution=mine.nodeids)
            return
        parts = [mine]
        for worker_file in sorted(self.directory.glob(WORKER_GLOB)):
            parts.append(_report.read_json(worker_file))
            worker_file.unlink()
        merged = _report.merge(parts)
        merged.tests = dict(self.tests)
        self.merged = merged
        self.written = _report.write_report(merged, self.directory)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.worker is not None or not self.written:
            return
        c = _report.counts(self.merged.findings)
        summary = ", ".join(f"{n} {o.lower()}" for o, n in c.items())
        terminalreporter.write_line(
            f"envgate: {len(self.merged.findings)} findings ({summary}) -> "
            f"{', '.join(str(p) for p in self.written.values())}")
