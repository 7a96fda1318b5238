"""`envgate`: run the gate and print its results.

    envgate gate                  the whole gate on the local AWS (moto): setup, static, plan, deploy + live, destroy
    envgate static                the static gate only (HCL and tfvars; no tofu, no AWS)
    envgate check-plan PLAN --env E   the plan gate on a plan JSON made elsewhere (`tofu show -json plan.out`)
    envgate drift ENV             what changed outside tofu in a deployed environment (refresh-only plan)
    envgate promote FROM TO       before deploying TO: its plan deploys the code FROM runs, FROM's live gate passed
    envgate init [DIR]            a starting contract inferred from a repository
    envgate show [DIR]            print the results table of an existing DIR/findings.json

Each tier is a pytest run (`-m static`, `-m plan`, `-m live`) writing DIR/<tier>/{findings.json,envgate.sarif,
summary.md,junit.xml,pytest.log}; the merged DIR/findings.json, DIR/envgate.sarif and DIR/summary.md cover
every tier. Exit status: 0 the gate passed, 1 it failed, 2 bad input.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from botocore.exceptions import BotoCoreError, ClientError

from envgate import localaws, report
from envgate.errors import EnvgateError
from envgate.findings import Outcome
from envgate.paths import repo_root

LIVE_DEFAULT_ENVS = ("staging", "production")  # deployed and probed by `envgate gate`; dev is planned only
EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
PYTEST_NO_TESTS = 5
MAX_MESSAGES = 30


class UsageError(EnvgateError):
    """Bad command-line input (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse prints the whole usage by default)
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


@dataclass
class Tier:
    """One pytest run of the gate and how it ended."""

    name: str
    marker: str
    envs: list[str]
    xdist: bool = False
    extra: list[str] = field(default_factory=list)
    exit_code: int | None = None
    seconds: float = 0.0
    tests: dict[str, int] = field(default_factory=dict)
    log: Path | None = None
    error: str | None = None  # a step that is not a pytest run (destroy) says why it failed

    @property
    def status(self) -> str:
        if self.exit_code is None:
            return "not run"
        if self.error:
            return f"failed: {self.error}"
        if self.exit_code == 0:
            return "passed" if self.marker else "done"
        if self.exit_code == PYTEST_NO_TESTS:
            return "no tests"
        return f"failed (pytest exit {self.exit_code})"

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


# --- input checks --------------------------------------------------------------------------------------


def known_envs(root: Path) -> list[str]:
    from envgate.contract import load_contract

    return sorted(load_contract(root / "policies" / "contract.yaml").environments)


def parse_envs(raw: Sequence[str], root: Path) -> list[str]:
    envs = [e for item in raw for e in item.split(",") if e]
    known = known_envs(root)
    unknown = [e for e in envs if e not in known]
    if unknown:
        raise UsageError(f"--env: unknown environment {', '.join(unknown)} (known: {', '.join(known)})")
    return list(dict.fromkeys(envs))


def check_target(args: argparse.Namespace) -> None:
    if getattr(args, "endpoint", "") and getattr(args, "real_aws", False):
        raise UsageError("--endpoint and --real-aws exclude each other")
    if getattr(args, "endpoint", "") and not localaws.is_loopback(args.endpoint):
        raise UsageError(f"--endpoint must be a loopback URL (the local AWS), got {args.endpoint}; "
                         "use --real-aws for AWS")
    # Checked up front: otherwise every tier fails at length, and the destroy step last of all.
    region = getattr(args, "region", None)
    if region is not None and not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d+", region):
        raise UsageError(f"--region: {region!r} is not an AWS region name (e.g. {localaws.DEFAULT_REGION})")
    if getattr(args, "endpoint", "") and not _listening(args.endpoint):
        raise UsageError(f"--endpoint {args.endpoint}: nothing is listening there "
                         "(start the local AWS, or leave --endpoint out and envgate starts one)")
    if getattr(args, "real_aws", False):
        import boto3

        if boto3.Session().get_credentials() is None:
            raise UsageError("--real-aws: no AWS credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
                             "AWS_SECRET_ACCESS_KEY)")


def _listening(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 80), timeout=3):
            return True
    except OSError:
        return False


# --- running a tier ------------------------------------------------------------------------------------


def pytest_command(tier: Tier, report_dir: Path, target: list[str]) -> list[str]:
    out = report_dir / tier.name
    # The installed envgate plugin (pytest11 entry point) writes the reports.
    # `--opt=value` everywhere so that no value is ever taken for a test path.
    cmd = [sys.executable, "-m", "pytest", "-m", tier.marker, "-p", "no:cacheprovider", "-q",
           f"--report-dir={out}", f"--junitxml={out / 'junit.xml'}", *target]
    if tier.envs:
        cmd.append(f"--env={','.join(tier.envs)}")
    if tier.xdist:
        cmd += ["-n", "2", "--dist", "loadgroup"]
    return cmd + tier.extra


@contextmanager
def working(console: Console, description: str) -> Iterator[None]:
    """A spinner with the elapsed seconds on a terminal while a long step runs (nothing in a CI log)."""
    columns = (SpinnerColumn(), TextColumn("[bold]{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        progress.add_task(description, total=None)
        yield


def run_tier(tier: Tier, report_dir: Path, target: list[str], console: Console, root: Path) -> Tier:
    """Run one tier's pytest, showing a spinner, the elapsed time and pytest's latest line."""
    out = report_dir / tier.name
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("findings.json", "envgate.sarif", "summary.md", "junit.xml"):
        (out / stale).unlink(missing_ok=True)
    tier.log = out / "pytest.log"
    cmd = pytest_command(tier, report_dir, target)
    # A clean pytest: nothing inherited from an enclosing pytest(-xdist) process.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_XDIST_", "PYTEST_CURRENT_TEST"))}
    env["PYTHONUNBUFFERED"] = "1"
    start = time.monotonic()
    columns = (SpinnerColumn(), TextColumn("[bold]{task.description}"), TimeElapsedColumn(),
               TextColumn("[dim]{task.fields[last]}"))
    # A terminal gets a live line (spinner, elapsed time, pytest's latest output); a CI log gets one line.
    live = console.is_terminal
    if not live:
        console.print(f"… {tier.name} gate: pytest -m {tier.marker} (log: {tier.log})")
    with tier.log.open("w", encoding="utf-8") as log, \
            Progress(*columns, console=console, transient=True, disable=not live) as progress:
        task = progress.add_task(f"{tier.name} gate", last="starting pytest", total=None)
        log.write("$ " + " ".join(cmd) + "\n")
        log.flush()
        try:
            proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, bufsize=1, errors="replace")
        except OSError as exc:
            raise EnvgateError(f"cannot run pytest: {exc.strerror}") from None
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            if line.strip():
                progress.update(task, last=escape(line.strip()[-70:]))
        tier.exit_code = proc.wait()
    tier.seconds = time.monotonic() - start
    findings_file = out / "findings.json"
    if findings_file.exists():
        tier.tests = report.read_json(findings_file).tests
    elif tier.exit_code in (0, 1):
        console.print(f"[yellow]![/] {tier.name}: pytest wrote no {findings_file} "
                      "(pytest must load the envgate plugin: install envgate into the environment pytest runs in)")
    mark = "[green]✔[/]" if tier.ok else "[red]✘[/]"
    counts = ", ".join(f"{n} {k}" for k, n in tier.tests.items() if n) or "no test results"
    console.print(f"{mark} {tier.name:<7} {tier.seconds:6.1f} s  {tier.status}: {counts}")
    if not tier.ok:
        for line in _pytest_summary(tier.log):
            console.print(f"    [dim]{escape(line)}[/]")
        console.print(f"    [dim]full log: {tier.log}[/]")
    return tier


def _pytest_summary(log: Path, limit: int = 15) -> list[str]:
    """The short test summary of a pytest log (or its last lines)."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    for i, line in enumerate(lines):
        if "short test summary info" in line:
            picked = [x for x in lines[i + 1:] if x.strip() and not x.startswith("=")]
            break
    else:
        picked = [x for x in lines if x.strip()][-5:]
    if len(picked) > limit:
        picked = picked[:limit] + [f"… {len(picked) - limit} more"]
    return picked


def merge_tiers(tiers: Sequence[Tier], report_dir: Path) -> report.Report:
    parts = []
    for tier in tiers:
        path = report_dir / tier.name / "findings.json"
        if path.exists():
            parts.append(report.read_json(path))
    merged = report.merge(parts)
    if any(t.name == "live" for t in tiers):
        from envgate.engine import settle

        for finding in settle(merged.findings):
            merged.findings.append(finding)
            merged.nodeids.append(None)
    report.write_report(merged, report_dir)
    return merged


# --- printing ------------------------------------------------------------------------------------------

STYLE = {"PASS": "green", "FAIL": "bold red", "DEFERRED": "yellow", "WAIVED": "magenta"}


def results_table(rep: report.Report, rules=None, width: int = 120) -> Table:
    titles = {rid: m.get("title", "") for rid, m in report.rule_meta(rules).items()}
    with_titles = rules is not None and width >= 110
    table = Table(title="envgate results by environment and rule", title_justify="left")
    table.add_column("Environment", no_wrap=True)
    table.add_column("Rule", no_wrap=True)
    if with_titles:
        table.add_column("Title", overflow="ellipsis", no_wrap=True, max_width=width - 80)
    for name in ("Pass", "Fail", "Deferred", "Waived"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("Verdict", no_wrap=True)
    rows = report.table(rep.findings)
    previous = None
    for row in rows:
        if previous is not None and row["env"] != previous:
            table.add_section()
        previous = row["env"]
        fail = f"[bold red]{row['fail']}[/]" if row["fail"] else "0"
        verdict = "[bold red]FAIL[/]" if row["verdict"] == "FAIL" else "[green]PASS[/]"
        title = [escape(titles.get(row["rule"], ""))] if with_titles else []
        table.add_row(row["env"], row["rule"], *title, str(row["pass"]), fail, str(row["deferred"]),
                      str(row["waived"]), verdict)
    return table


def _listing(console: Console, findings: Sequence, header: str, mark: str) -> None:
    if not findings:
        return
    console.print("\n" + header.format(n=len(findings)))
    for f in findings[:MAX_MESSAGES]:
        console.print(f"  {mark} {f.rule_id} {escape(f'[{f.gate}]')} {escape(f.message)}", soft_wrap=True)
    if len(findings) > MAX_MESSAGES:
        console.print(f"  … and {len(findings) - MAX_MESSAGES} more (see findings.json)")


def print_results(console: Console, rep: report.Report, tiers: Sequence[Tier] = (), report_dir: Path | None = None) -> bool:
    """The results table, failing messages and the overall verdict; True when the gate passed."""
    rules = report.load_rules_or_none()
    if rep.findings:
        console.print(results_table(rep, rules, console.width))
    else:
        console.print("[yellow]no findings were recorded[/]")
    ordered = sorted(rep.findings, key=report.sort_key)
    _listing(console, [f for f in ordered if f.outcome is Outcome.FAIL], "[bold red]{n} failing finding(s):[/]", "[red]✘[/]")
    _listing(console, [f for f in ordered if f.outcome is Outcome.DEFERRED],
             "[yellow]{n} deferred finding(s), each to be settled by a later gate:[/]", "[yellow]?[/]")
    c = report.counts(rep.findings)
    passed = all(t.ok for t in tiers) and rep.verdict == "PASS"
    console.print()
    if tiers:
        console.print("tiers: " + ", ".join(
            f"{t.name} [{'green' if t.ok else 'red'}]{escape(t.status)}[/] ({t.seconds:.0f} s)" for t in tiers))
    counts = "  ".join(f"[{STYLE[o]}]{n} {o.lower()}[/]" for o, n in c.items())
    console.print(f"findings: {counts}")
    if report_dir is not None:
        per_tier = f" (per tier: {report_dir}/<tier>/)" if tiers else ""
        console.print(f"reports: {report_dir}/findings.json, envgate.sarif, summary.md{per_tier}")
    verdict = "[bold green]PASS[/]" if passed else "[bold red]FAIL[/]"
    console.print(f"[bold]envgate verdict:[/] {verdict}")
    return passed


# --- subcommands ---------------------------------------------------------------------------------------


def _target_args(args: argparse.Namespace, endpoint: str | None) -> list[str]:
    target = [f"--region={args.region}"]
    if args.real_aws:
        target.append("--real-aws")
    elif endpoint:
        target.append(f"--endpoint={endpoint}")
    return target


def cmd_gate(args: argparse.Namespace, console: Console) -> int:
    root = repo_root()
    envs = parse_envs(args.env, root)
    if args.endpoint and args.real_aws:
        raise UsageError("--endpoint and --real-aws exclude each other")
    wanted = [t for t in args.tiers.split(",") if t]
    if not wanted or set(wanted) - {"static", "plan", "live"}:
        raise UsageError(f"--tiers: a comma-separated subset of static,plan,live, got {args.tiers!r}")
    if args.real_aws and "plan" in wanted:
        raise UsageError("--real-aws: the plan tier cannot run (it plans into the local AWS): pass --tiers "
                         "static,live, and run `envgate check-plan PLAN_JSON --env E` on your pipeline's plan")
    check_target(args)
    report_dir = Path(args.report_dir).resolve()
    report_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    from envgate import toolchain

    with working(console, "setup: tofu and the hashicorp/aws provider (first time: builds, see README)"):
        t0 = time.monotonic()
        tc = toolchain.ensure()
    provider = f", hashicorp/aws {tc.provider.version}" if tc.provider else ", provider from the registry"
    console.print(f"[green]✔[/] setup   {time.monotonic() - t0:6.1f} s  tofu {tc.tofu}{provider}")

    server = None
    endpoint = args.endpoint or None
    if not args.real_aws and not endpoint:
        server = localaws.MotoServer(log=report_dir / "moto.log")
        with working(console, "starting the local AWS (moto)"):
            server.start()
        endpoint = server.endpoint
        console.print(f"[green]✔[/] moto    local AWS on {endpoint} (log: {report_dir / 'moto.log'})")
    elif args.real_aws:
        console.print("[yellow]![/] real AWS with the ambient credentials: nothing is deployed, the live gate only reads")

    live_envs = envs or [e for e in LIVE_DEFAULT_ENVS if e in known_envs(root)]
    live_marker = "live and not local_aws" if args.real_aws else "live"
    # The live tier deploys in the contract's promotion order (the plugin's `promoted`): staging's live gate and
    # `promote staging -> production` before production is deployed, as the deploy workflow does.
    tiers = [t for t in (Tier("static", "static", envs), Tier("plan", "plan", envs, xdist=True),
                         Tier("live", live_marker, live_envs, xdist=True)) if t.name in wanted]
    steps = list(tiers)
    try:
        target = _target_args(args, endpoint)
        for tier in tiers:
            run_tier(tier, report_dir, target, console, root)
        if "staging" in live_envs and endpoint and not args.skip_destroy:
            steps.append(destroy(root, "staging", tc, endpoint, args.region, report_dir, console))
        elif args.skip_destroy and endpoint:
            console.print(f"[yellow]![/] --skip-destroy: staging stays deployed on {endpoint}"
                          + (" until this command stops the local AWS" if server else ""))
    finally:
        if server:
            server.stop()
    merged = merge_tiers(tiers, report_dir)
    console.print(f"[dim]gate finished in {time.monotonic() - started:.0f} s[/]\n")
    return EXIT_OK if print_results(console, merged, steps, report_dir) else EXIT_FAIL


def _target(endpoint: str | None, region: str):
    from envgate import stack

    return stack.Target(endpoint=endpoint or None, region=region)


def promotion(root: Path, source: str, env: str, from_report: Path, plan_json: str | None, tc, target) -> list:
    """The promote findings: `env`'s plan (PLAN_JSON, or planned here on `target`) against what `source`'s live
    gate recorded in `from_report` (its findings.json or the directory holding it)."""
    import tempfile

    from envgate import plan, stack
    from envgate.contract import load_contract
    from envgate.engine import plan_resources, promote

    contract = load_contract()
    record = report.read_json(from_report / "findings.json" if from_report.is_dir() else from_report)
    if plan_json:
        doc, label = plan.load_plan(plan_json), plan_json
    else:
        with tempfile.TemporaryDirectory(prefix="envgate-promote-") as tmp:
            doc = stack.prepare(root, env, tc, target, Path(tmp), contract).plan_json()
        label = f"the plan of {env}"
    plan.check_environment(doc, env, contract.variable("name"), label)
    return promote(record.findings, source, plan_resources(doc, env, root, contract, label), env, contract,
                   str(from_report), record.tests.get("failed", 0) + record.tests.get("error", 0))


def destroy(root: Path, env: str, tc, endpoint: str, region: str, report_dir: Path, console: Console) -> Tier:
    """`tofu destroy` of `env` on the local AWS, from a fresh working copy on the same state (workspace `env`)."""
    import tempfile

    from envgate import stack

    step = Tier("destroy", "", [env])
    start = time.monotonic()
    target = stack.Target(endpoint=endpoint, region=region)
    try:
        with working(console, f"destroy {env} on the local AWS"), tempfile.TemporaryDirectory(prefix="envgate-") as tmp:
            localaws.ensure_state_backend(target.client, target.state_bucket, target.lock_table)
            run = stack.prepare(root, env, tc, target, Path(tmp))
            run.destroy()
        step.exit_code = 0
    except (EnvgateError, BotoCoreError, ClientError) as exc:  # the local AWS may have gone away mid-run
        step.exit_code, step.error = 1, str(exc).splitlines()[0]
    step.seconds = time.monotonic() - start
    mark = "[green]✔[/]" if step.ok else "[red]✘[/]"
    console.print(f"{mark} destroy {step.seconds:6.1f} s  {env}: {'destroyed' if step.ok else escape(step.status)}")
    return step


def _policies():
    """Rules, contract and waivers (none when policies/waivers.yaml is absent)."""
    from envgate.contract import load_contract
    from envgate.paths import policies_dir
    from envgate.registry import load_rules
    from envgate.waivers import load_waivers

    rules, contract = load_rules(), load_contract()
    path = policies_dir() / "waivers.yaml"
    waivers = load_waivers(path, rules, contract) if path.exists() else None
    return rules, contract, waivers


def _engine_report(findings, report_dir: Path, title: str, rules, console: Console) -> int:
    rep = report.Report(list(findings), [], {})
    report.write_report(rep, report_dir, title=title, rules=rules)
    return EXIT_OK if print_results(console, rep, (), report_dir) else EXIT_FAIL


def cmd_static(args: argparse.Namespace, console: Console) -> int:
    """The static gate straight through the engine: HCL + tfvars, no tofu, no AWS, no pytest."""
    from envgate.engine import evaluate_static

    root = repo_root()
    envs = parse_envs(args.env, root)
    rules, contract, waivers = _policies()
    with working(console, "static gate"):
        findings = evaluate_static(root, envs or None, contract, rules, waivers=waivers)
    return _engine_report(findings, Path(args.report_dir).resolve(), "envgate static gate", rules, console)


def cmd_check_plan(args: argparse.Namespace, console: Console) -> int:
    """The plan gate on a plan JSON made elsewhere (e.g. CI on a real account): no tofu, no AWS."""
    from envgate import plan
    from envgate.engine import evaluate, plan_resources

    root = repo_root()
    envs = parse_envs([args.env], root)
    if len(envs) != 1:
        raise UsageError("--env: name exactly one environment (the one the plan was made for)")
    rules, contract, waivers = _policies()
    doc = plan.load_plan(args.plan_json)
    plan.check_environment(doc, envs[0], contract.variable("name"), args.plan_json)
    planned = plan.resources(doc, envs[0], source=args.plan_json)
    if not any(r.values for r in planned):  # nothing the gate could check: never a pass
        why = (f"every value of its {len(planned)} resources is unknown until apply" if planned
               else "it has no resources")
        raise EnvgateError(f"{args.plan_json}: nothing to check for {envs[0]}: {why}")
    resources = plan_resources(doc, envs[0], root, contract, args.plan_json)
    findings = evaluate(resources, envs[0], "plan", contract, rules, waivers=waivers)
    return _engine_report(findings, Path(args.report_dir).resolve(), f"envgate plan gate: {envs[0]}", rules, console)


def cmd_contract_migrate(args: argparse.Namespace, console: Console) -> int:
    """Version 1 -> 2 in place (the old file kept as CONTRACT.v1); the result is validated before it is kept."""
    import yaml

    from envgate.contract import load_contract, migrate_v1
    from envgate.yamlio import load_yaml

    path = Path(args.path)
    data = load_yaml(path)
    if not isinstance(data, dict) or data.get("version") != 1:
        raise EnvgateError(f"{path}: not a version 1 contract (version: {data.get('version') if isinstance(data, dict) else '?'})")
    backup = path.with_name(path.name + ".v1")
    backup.write_text(path.read_text())
    path.write_text("# Migrated from version 1 by `envgate contract migrate` (the original: "
                    f"{backup.name}). Review it.\n" + yaml.safe_dump(migrate_v1(data), sort_keys=False))
    try:
        load_contract(path)
    except EnvgateError:
        path.write_text(backup.read_text())
        backup.unlink()
        raise
    console.print(f"{path}: migrated to version 2 (version 1 kept as {backup})")
    return EXIT_OK


def cmd_init(args: argparse.Namespace, console: Console) -> int:
    """Write a starting policies/contract.yaml inferred from the repository, then run the static gate on it."""
    from envgate import scaffold
    from envgate.contract import load_contract
    from envgate.engine import evaluate_static

    root = Path(args.directory).resolve()
    path, draft = scaffold.write(root, force=args.force)
    console.print(f"{path}: written ({len(draft.data['environments'])} environments: "
                  f"{', '.join(draft.data['environments'])}); review it, and its {len(draft.todos)} TODO line(s):")
    for todo in draft.todos:
        console.print(f"  [yellow]TODO[/] {escape(todo)}", soft_wrap=True)
    contract = load_contract(path)
    with working(console, "static gate with the new contract"):
        findings = evaluate_static(root, None, contract)
    failed = [f for f in findings if f.outcome is Outcome.FAIL]
    console.print(f"static gate with it: {len(findings) - len(failed)} findings not failing, {len(failed)} FAIL"
                  + ("" if not failed else f" (first: {failed[0].rule_id} {escape(failed[0].message)})"), soft_wrap=True)
    console.print("next: review the contract, then `pytest -m static`, `pytest -m plan`, `pytest -m live`")
    return EXIT_OK if not failed else EXIT_FAIL


def cmd_drift(args: argparse.Namespace, console: Console) -> int:
    """What changed outside tofu in one deployed environment: a refresh-only plan against its state (no lock,
    nothing written), each changed attribute and deleted resource a finding."""
    import tempfile

    from envgate import stack, toolchain
    from envgate.engine import drift

    root = repo_root()
    envs = parse_envs([args.env], root)
    if len(envs) != 1:
        raise UsageError("drift: name exactly one environment")
    env = envs[0]
    if not args.endpoint and not args.real_aws:
        raise UsageError("drift: name where the environment is deployed: --endpoint URL (a local AWS) or --real-aws")
    check_target(args)
    rules, contract, _ = _policies()
    target = _target(args.endpoint, args.region)
    with working(console, f"refresh-only plan of {env}"), tempfile.TemporaryDirectory(prefix="envgate-drift-") as tmp:
        run = stack.prepare(root, env, toolchain.ensure(), target, Path(tmp), contract)
        findings = drift(run.drift_json(), env, root, contract)
    return _engine_report(findings, Path(args.report_dir).resolve(), f"envgate drift: {env}", rules, console)


def cmd_promote(args: argparse.Namespace, console: Console) -> int:
    """Before deploying TO: its plan deploys exactly the code FROM runs, and FROM's last live gate passed."""
    from envgate import toolchain

    root = repo_root()
    source, env = (parse_envs([e], root)[0] for e in (args.source, args.env))
    if source == env:
        raise UsageError("promote: FROM and TO are the same environment")
    if bool(args.plan_json) + bool(args.endpoint) + bool(args.real_aws) != 1:
        raise UsageError(f"promote: say where {env}'s plan comes from: --plan-json PATH, or --endpoint URL / "
                         "--real-aws to plan it here")
    check_target(args)
    from_report = Path(args.from_report or Path(args.report_dir) / f"live-{source}")
    with working(console, f"promote {source} -> {env}"):
        findings = promotion(root, source, env, from_report, args.plan_json or None,
                             None if args.plan_json else toolchain.ensure(), _target(args.endpoint, args.region))
    rules, _, _ = _policies()
    return _engine_report(findings, Path(args.report_dir).resolve() / f"promote-{env}",
                          f"envgate promote: {source} -> {env}", rules, console)


def cmd_show(args: argparse.Namespace, console: Console) -> int:
    path = Path(args.report_dir)
    path = path / "findings.json" if path.is_dir() or not path.suffix else path
    rep = report.read_json(path)
    return EXIT_OK if print_results(console, rep) else EXIT_FAIL


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="envgate", description="Policy-and-verification gate for the multi-environment stack.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(p: argparse.ArgumentParser, *, env_help: str) -> None:
        p.add_argument("--env", action="append", default=[], metavar="NAME", help=env_help)
        p.add_argument("--report-dir", default="reports", metavar="DIR",
                       help="where findings.json, envgate.sarif, summary.md and per-tier JUnit go (default: reports)")

    gate = sub.add_parser("gate", help="the whole gate on the local AWS: static, plan, deploy + live, destroy staging")
    common(gate, env_help="environment(s) to gate (repeatable or comma-separated); "
                          "default: all for static/plan, staging+production for live")
    gate.add_argument("--real-aws", action="store_true",
                      help="probe real AWS with the ambient credentials (nothing is deployed)")
    gate.add_argument("--endpoint", default="", metavar="URL",
                      help="an already running local AWS (moto) on loopback; default: start one")
    gate.add_argument("--region", default=os.environ.get("AWS_REGION", localaws.DEFAULT_REGION),
                      help=f"AWS region (default {localaws.DEFAULT_REGION}: moto serves DSQL there)")
    gate.add_argument("--skip-destroy", action="store_true",
                      help="leave staging deployed after the live gate (with --endpoint: on your moto)")
    gate.add_argument("--tiers", default="static,plan,live", metavar="LIST",
                      help="the tiers to run, comma-separated (default static,plan,live); with --real-aws the "
                           "plan tier cannot run: name static,live explicitly")
    gate.set_defaults(func=cmd_gate)

    static = sub.add_parser("static", help="the static gate only (HCL and tfvars, no tofu or AWS)")
    common(static, env_help="environment(s) to check; default: all")
    static.set_defaults(func=cmd_static)

    plan = sub.add_parser("check-plan", help="the plan gate on a plan JSON made elsewhere (`tofu show -json`)")
    plan.add_argument("plan_json", metavar="PLAN_JSON")
    plan.add_argument("--env", required=True, metavar="NAME", help="the environment the plan was made for")
    plan.add_argument("--report-dir", default="reports", metavar="DIR", help="where reports go (default: reports)")
    plan.set_defaults(func=cmd_check_plan)

    init = sub.add_parser("init", help="write a starting contract inferred from the repository (for review)")
    init.add_argument("directory", nargs="?", default=".", metavar="DIR", help="the repository (default: .)")
    init.add_argument("--force", action="store_true", help="overwrite an existing policies/contract.yaml")
    init.set_defaults(func=cmd_init)

    drift = sub.add_parser("drift", help="what changed outside tofu in a deployed environment (refresh-only plan)")
    drift.add_argument("env", metavar="ENV")
    drift.add_argument("--endpoint", default="", metavar="URL", help="the local AWS (moto) it is deployed on")
    drift.add_argument("--real-aws", action="store_true", help="the ambient credentials' account (read-only)")
    drift.add_argument("--region", default=os.environ.get("AWS_REGION", localaws.DEFAULT_REGION), help="AWS region")
    drift.add_argument("--report-dir", default="reports", metavar="DIR", help="where reports go (default: reports)")
    drift.set_defaults(func=cmd_drift)

    promote = sub.add_parser("promote", help="before a deploy: TO's plan deploys exactly the code FROM runs, "
                                             "and FROM's last live gate passed")
    promote.add_argument("source", metavar="FROM")
    promote.add_argument("env", metavar="TO")
    promote.add_argument("--from-report", default="", metavar="DIR",
                         help="FROM's live gate report (findings.json or its directory; default: REPORT_DIR/live-FROM)")
    promote.add_argument("--plan-json", default="", metavar="PATH", help="TO's plan (`tofu show -json`)")
    promote.add_argument("--endpoint", default="", metavar="URL", help="plan TO here, on the local AWS (moto)")
    promote.add_argument("--real-aws", action="store_true", help="plan TO here, with the ambient credentials")
    promote.add_argument("--region", default=os.environ.get("AWS_REGION", localaws.DEFAULT_REGION), help="AWS region")
    promote.add_argument("--report-dir", default="reports", metavar="DIR",
                         help="reports go to DIR/promote-TO (default: reports)")
    promote.set_defaults(func=cmd_promote)

    show = sub.add_parser("show", help="print the results table of an existing findings.json")
    show.add_argument("report_dir", nargs="?", default="reports", metavar="DIR_OR_FILE")
    show.set_defaults(func=cmd_show)

    contract = sub.add_parser("contract", help="contract maintenance")
    contract_sub = contract.add_subparsers(dest="action", required=True, parser_class=_Parser)
    migrate = contract_sub.add_parser("migrate", help="rewrite a version 1 contract as version 2 (in place)")
    migrate.add_argument("path", nargs="?", default="policies/contract.yaml", metavar="CONTRACT")
    migrate.set_defaults(func=cmd_contract_migrate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # CI logs are not terminals: give them a readable width instead of rich's 80 columns.
    width = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 120
    console = Console(highlight=False, width=width)
    try:
        args = build_parser().parse_args(argv)
        return args.func(args, console)
    except UsageError as exc:
        print(f"envgate: {exc}" if not str(exc).startswith("envgate") else str(exc), file=sys.stderr)
        return EXIT_USAGE
    except EnvgateError as exc:
        print(f"envgate: {str(exc).splitlines()[0]}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("envgate: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
