"""envgate benchmarks (not tests): wall times of the gates against checkov and raw `tofu plan`, and the live
probe's API calls. Every figure is the median of N repetitions made in the same run, alternating the contenders.

    .venv/bin/python benchmarks/run.py                      # everything (static, eval, plan, live): ~15-25 min
    .venv/bin/python benchmarks/run.py --only static,eval   # the quick ones (~3 min)
    .venv/bin/python benchmarks/run.py --only eval --sizes 1000,10000 --repeat 5 --profile

Results go to benchmarks/results.json (override with --out) and a Markdown summary to stdout.
Sections:
  floor   (part of plan) init + plan + show -json of the 3 environments, 2 and 3 at a time, without pytest
  static  engine.evaluate_static / `envgate static` / `pytest tests/static` vs `checkov -d terraform`
  scale   evaluate_static on generated configurations (benchmarks/gen_config.py, 100 and 1,000 resources) vs checkov
  eval    synthetic plan JSON (benchmarks/gen_plan.py) through plan.py + engine.evaluate vs checkov terraform_plan
  plan    `pytest -m plan -n 2` (all environments) vs stack.prepare + `tofu plan` of one environment
  deploy  `pytest -m live -n 2` (deploys in promotion order + the live gate) vs raw `tofu apply` of the same
          environments, in that order and 2 at a time, each on a fresh moto (not in the default run: ~12 min)
  live    deploy every environment once on a fresh moto, then count the probe's API calls per environment
Runs on loopback only (moto); nothing reaches AWS. Wait for a quiet machine (`uptime` load < 2): the figures are
wall times on 2 cores.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "benchmarks"))

CHECKOV_IDS = "CKV_ENVGATE_1,CKV_ENVGATE_2,CKV_ENVGATE_3,CKV_ENVGATE_4,CKV_ENVGATE_5,CKV_ENVGATE_6,CKV_ENVGATE_12"
TARGETS = {"static_seconds": 1.0, "static_vs_checkov": 3.0, "eval10k_vs_checkov": 10.0, "plan_vs_raw": 1.3}


def checkov() -> str:
    from envgate.checkovrun import checkov_bin

    return str(checkov_bin())


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "ENVGATE_ROOT"))}
    env.update(extra)
    return env


FAILED_RUNS: list[str] = []


def wall(cmd: list[str], *, env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,), cwd: Path = REPO,
         retries: int = 0) -> float:
    """Wall seconds of a command. A failed run (a transient tofu/moto error) is retried up to `retries` times and
    listed in results["failed_runs"]; its time is not used."""
    for _ in range(retries + 1):
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, env=env or clean_env(), capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if proc.returncode in ok:
            return seconds
        FAILED_RUNS.append(f"exit {proc.returncode}: {' '.join(cmd)}: {(proc.stdout + proc.stderr)[-1500:]}")
    raise SystemExit(f"benchmark command failed (exit {proc.returncode}): {' '.join(cmd)}\n"
                     f"{(proc.stdout + proc.stderr)[-2000:]}")


def inner(snippet: str, env: dict[str, str] | None = None) -> float:
    """Seconds a snippet reports itself (it prints the time of the measured part only)."""
    proc = subprocess.run([PY, "-c", snippet], cwd=REPO, env=env or clean_env(), capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"benchmark snippet failed:\n{proc.stderr[-2000:]}")
    return float(proc.stdout.strip().splitlines()[-1])


def measure(contenders: dict[str, Callable[[], float]], repeat: int) -> dict[str, dict]:
    """Run every contender `repeat` times, alternating, after one unmeasured warm-up each (page cache, .pyc)."""
    for fn in contenders.values():
        fn()
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            samples[name].append(fn())
    return {name: {"median": statistics.median(s), "min": min(s), "max": max(s), "samples": [round(x, 4) for x in s]}
            for name, s in samples.items()}


# --- (a) static ----------------------------------------------------------------------------------------------

def bench_static(repeat: int) -> dict:
    ck = checkov()
    report_dir = Path(tempfile.mkdtemp(prefix="envgate-bench-static-"))

    def cold_home() -> dict[str, str]:
        return clean_env(ENVGATE_HOME=tempfile.mkdtemp(prefix="envgate-bench-home-"))

    call = ("import time; from pathlib import Path; from envgate.engine import evaluate_static; "
            "t = time.perf_counter(); evaluate_static(Path('.')); print(time.perf_counter() - t)")
    process = ("import time; t = time.perf_counter(); from pathlib import Path; "
               "from envgate.engine import evaluate_static; evaluate_static(Path('.')); print(time.perf_counter() - t)")
    contenders = {
        "engine.evaluate_static (call, warm HCL cache)": lambda: inner(call),
        "engine.evaluate_static (call, cold HCL cache)": lambda: inner(call, cold_home()),
        "engine.evaluate_static (imports + call, warm)": lambda: inner(process),
        "envgate static (process, warm)": lambda: wall([PY, "-m", "envgate.cli", "static", "--report-dir",
                                                        str(report_dir)]),
        "envgate static (process, cold HCL cache)": lambda: wall([PY, "-m", "envgate.cli", "static", "--report-dir",
                                                                  str(report_dir)], env=cold_home()),
        "pytest tests/static (what pre-commit runs, warm)": lambda: wall(
            [PY, "-m", "pytest", "-p", "no:cacheprovider", "-q", "tests/static"]),
        "pytest tests/static (what pre-commit runs, cold evaluation cache)": lambda: wall(
            [PY, "-m", "pytest", "-p", "no:cacheprovider", "-q", "tests/static"], env=cold_home()),
        "checkov -d terraform --external-checks-dir policies/checkov": lambda: wall(
            [ck, "-d", "terraform", "--external-checks-dir", "policies/checkov", "--skip-download", "--quiet"],
            ok=(0, 1)),
        "checkov, envgate's checks only (--framework terraform --check CKV_ENVGATE_*)": lambda: wall(
            [ck, "-d", "terraform", "--external-checks-dir", "policies/checkov", "--skip-download", "--quiet",
             "--framework", "terraform", "--check", CHECKOV_IDS], ok=(0, 1)),
    }
    results = measure(contenders, repeat)
    shutil.rmtree(report_dir, ignore_errors=True)
    return results


# --- (a2) the static gate on generated configurations of growing size -----------------------------------------

SCALE_SNIPPET = """
import resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from envgate.contract import load_contract
from envgate.engine import evaluate_static
contract = load_contract(Path(sys.argv[2]))
t1 = time.perf_counter()
findings = evaluate_static(Path(sys.argv[1]), None, contract)
t2 = time.perf_counter()
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(t2 - t1, len(findings), peak)
"""


def bench_scale(sizes: list[int], repeat: int, workdir: Path) -> dict:
    """evaluate_static (3 environments, tfparse cold: a fresh evaluation cache each run) vs checkov -d."""
    from gen_config import generate

    ck = checkov()
    contract = REPO / "policies" / "fixtures" / "contract.yaml"
    out: dict = {}
    for size in sizes:
        root = generate(size, workdir / f"config-{size}")
        blocks = (root / "terraform" / "main.tf").read_text().count("\nresource ") + 1
        stats: dict = {}

        def envgate_cold(where: Path = root, rules_for: Path = contract, key: str = "") -> float:
            env = clean_env(ENVGATE_HOME=tempfile.mkdtemp(prefix="envgate-bench-home-"))
            done = subprocess.run([PY, "-c", SCALE_SNIPPET, str(where), str(rules_for)], env=env,
                                  capture_output=True, text=True, check=True)
            seconds, findings, peak = done.stdout.split()
            stats.update({f"findings{key}": int(findings), f"peak_rss_mb{key}": round(int(peak) / 1024)})
            return float(seconds)

        contenders = {
            "envgate evaluate_static, 3 environments (cold: tfparse runs)": envgate_cold,
            "checkov -d terraform (all its checks, one pass)": lambda: wall(
                [ck, "-d", str(root / "terraform"), "--skip-download", "--quiet"], ok=(0, 1)),
        }
        if size <= 1000:  # ten environments: each one more evaluation of the same configuration
            ten = generate(size, workdir / f"config-{size}-10", envs=10)
            contenders["envgate evaluate_static, 10 environments (cold)"] = lambda: envgate_cold(
                ten, ten / "policies" / "contract.yaml", " (10 environments)")
        results = measure(contenders, repeat)
        out[str(size)] = {**results, "resources": blocks + size // 4, **stats}
        for envs, name in ((3, "3 environments (cold: tfparse runs)"), (10, "10 environments (cold)")):
            if f"envgate evaluate_static, {name}" in results:
                median = results[f"envgate evaluate_static, {name}"]["median"]
                out[str(size)][f"envgate ms per resource per environment ({envs} environments)"] = round(
                    1000 * median / (envs * size), 3)
    return out


# --- (b) rule evaluation on synthetic plans -----------------------------------------------------------------

EVAL_SNIPPET = """
import time, sys
t0 = time.perf_counter()
from envgate import engine, plan
t1 = time.perf_counter()
doc = plan.load_plan(sys.argv[1])
resources = plan.resources(doc, "production")
t2 = time.perf_counter()
findings = engine.evaluate(resources, "production", "plan")
t3 = time.perf_counter()
assert findings and not [f for f in findings if f.outcome.value == "FAIL"], "the synthetic plan must pass"
import resource
print(t1 - t0, t2 - t1, t3 - t2, len(findings), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def bench_eval(sizes: list[int], repeat: int, workdir: Path, profile: bool) -> dict:
    from gen_plan import generate

    ck = checkov()
    out: dict = {}
    for size in sizes:
        path = workdir / f"plan-{size}.json"
        path.write_text(json.dumps(generate(size)))
        parts: dict[str, list[float]] = {"import": [], "load+normalize": [], "evaluate": []}
        findings, rss = [0], [0]

        def engine_process() -> float:
            start = time.perf_counter()
            proc = subprocess.run([PY, "-c", EVAL_SNIPPET, str(path)], cwd=REPO, env=clean_env(), capture_output=True,
                                  text=True)
            seconds = time.perf_counter() - start
            if proc.returncode:
                raise SystemExit(proc.stderr[-2000:])
            imp, load, ev, n, peak = proc.stdout.split()
            for key, value in zip(parts, (imp, load, ev)):
                parts[key].append(float(value))
            findings[0], rss[0] = int(n), round(int(peak) / 1024)
            return seconds

        report_dir = workdir / f"reports-{size}"
        contenders = {
            "envgate: plan.py + engine.evaluate (process)": engine_process,
            "envgate check-plan (process, writes findings.json/SARIF/Markdown)": lambda: wall(
                [PY, "-m", "envgate.cli", "check-plan", str(path), "--env", "production", "--report-dir",
                 str(report_dir)]),
            "checkov -f plan.json --framework terraform_plan (envgate's 7 checks)": lambda: wall(
                [ck, "-f", str(path), "--framework", "terraform_plan", "--external-checks-dir", "policies/checkov",
                 "--check", CHECKOV_IDS, "--skip-download", "-o", "json"], ok=(0, 1)),
        }
        results = measure(contenders, repeat)
        results["envgate in-process parts (median s)"] = {k: statistics.median(v) for k, v in parts.items()}
        results["findings"] = findings[0]
        results["peak_rss_mb"] = rss[0]
        results["plan_bytes"] = path.stat().st_size
        if profile:
            results["profile"] = profile_eval(path)
        out[str(size)] = results
    return out


def profile_eval(path: Path, top: int = 15) -> str:
    from envgate import engine, plan

    doc = plan.load_plan(path)
    resources = plan.resources(doc, "production")
    profiler = cProfile.Profile()
    profiler.enable()
    engine.evaluate(resources, "production", "plan")
    profiler.disable()
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(top)
    return buffer.getvalue()


# --- (c) plan gate vs raw tofu plan --------------------------------------------------------------------------

if TYPE_CHECKING:
    from envgate import stack


def tofu(run: stack.StackRun, *args: str) -> float:
    """Seconds one tofu command takes in a prepared working copy."""
    start = time.perf_counter()
    res = run.tf.execute_command(*args)
    if res.retcode != 0:
        raise SystemExit(f"tofu {args[0]} failed: {res.err[-2000:]}")
    return time.perf_counter() - start


def bench_plan(repeat: int) -> dict:
    from envgate import localaws, stack, toolchain

    tc = toolchain.ensure()
    raw_parts: dict[str, list[float]] = {"prepare (copy + tofu init + workspace)": [], "tofu plan": []}

    def prepared(tmp: Path, env: str, target: stack.Target) -> tuple[stack.StackRun, float]:
        start = time.perf_counter()
        return stack.prepare(REPO, env, tc, target, tmp / f"work-{env}"), time.perf_counter() - start

    def plan_args(run: stack.StackRun) -> tuple[str, ...]:
        return ("plan", "-input=false", "-no-color", "-out=raw.tfplan", *run.var_flags)

    def raw(env: str = "production", record: bool = True) -> float:
        with tempfile.TemporaryDirectory(prefix="envgate-bench-raw-") as tmp, \
                localaws.MotoServer(log=Path(tmp) / "moto.log") as server:
            target = stack.Target(endpoint=server.endpoint)
            localaws.ensure_state_backend(target.client)
            run, init = prepared(Path(tmp), env, target)
            plan = tofu(run, *plan_args(run))
            if record:
                raw_parts["prepare (copy + tofu init + workspace)"].append(init)
                raw_parts["tofu plan"].append(plan)
            return init + plan

    def gate(*extra: str) -> float:
        return wall([PY, "-m", "pytest", "-m", "plan", "-n", "2", "--dist", "loadgroup", "-p", "no:cacheprovider",
                     "-q", "tests/plan", *extra], retries=2)

    with tempfile.TemporaryDirectory(prefix="envgate-bench-plan-") as tmp, \
            localaws.MotoServer(log=Path(tmp) / "moto.log") as shared:
        results = measure({
            "pytest -m plan -n 2 (dev, production, staging)": gate,
            "pytest -m plan -n 2 --endpoint=<one moto> (as `envgate gate` runs it)": lambda: gate(
                f"--endpoint={shared.endpoint}"),
            "raw: stack.prepare + tofu plan (production)": raw,
        }, repeat)
    results["raw parts (median s)"] = {k: statistics.median(v) for k, v in raw_parts.items()}
    results["raw per environment (one run, s)"] = {env: round(raw(env, record=False), 2)
                                                   for env in ("dev", "staging", "production")}
    results["floor (init + plan + show -json, no pytest)"] = bench_plan_floor()
    return results


def bench_plan_floor() -> dict:
    from concurrent.futures import ThreadPoolExecutor

    from envgate import localaws, stack, toolchain

    tc = toolchain.ensure()

    def cpu() -> float:  # CPU seconds of finished child processes (tofu and its provider plugin)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    # The floor on this machine: what the gate must do at least (init + plan + show -json per environment),
    # 3 environments on 2 workers, with no pytest, no xdist, no checks.
    def phases(env: str, target: stack.Target, tmp: Path) -> dict[str, float]:
        start = time.perf_counter()
        run = stack.prepare(REPO, env, tc, target, tmp / f"work-{env}")
        init = time.perf_counter() - start
        plan = tofu(run, "plan", "-input=false", "-no-color", "-out=raw.tfplan", *run.var_flags)
        show = tofu(run, "show", "-json", "raw.tfplan")
        return {"init": init, "plan": plan, "show -json": show}

    floor: dict = {}
    with tempfile.TemporaryDirectory(prefix="envgate-bench-floor-") as tmp, \
            localaws.MotoServer(log=Path(tmp) / "moto.log") as server:
        target = stack.Target(endpoint=server.endpoint)
        localaws.ensure_state_backend(target.client)
        phases("production", target, Path(tmp) / "warm")
        start, cpu_start = time.perf_counter(), cpu()
        floor["one environment alone (production)"] = phases("production", target, Path(tmp) / "alone")
        floor["one environment alone, total"] = time.perf_counter() - start
        floor["one environment alone, CPU seconds (init + plan + show -json)"] = cpu() - cpu_start
        for workers in (2, 3):
            start, cpu_start = time.perf_counter(), cpu()
            with ThreadPoolExecutor(workers) as pool:
                per_env = dict(zip(("dev", "staging", "production"), pool.map(
                    lambda e, w=workers: phases(e, target, Path(tmp) / f"w{w}"), ("dev", "staging", "production"))))
            floor[f"3 environments, {workers} at a time, total"] = time.perf_counter() - start
            floor[f"3 environments, {workers} at a time, CPU seconds"] = cpu() - cpu_start
            floor[f"3 environments, {workers} at a time, phases"] = per_env
    return floor


# --- (d) live probe API calls --------------------------------------------------------------------------------

def bench_live(repeat: int) -> dict:
    from envgate import live, localaws, stack, toolchain
    from envgate.contract import load_contract
    from envgate.guard import loopback_only

    tc = toolchain.ensure()
    contract = load_contract()
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="envgate-bench-live-") as tmp, \
            localaws.MotoServer(log=Path(tmp) / "moto.log") as server, loopback_only():
        target = stack.Target(endpoint=server.endpoint)
        localaws.ensure_state_backend(target.client)
        for env in contract.environments:
            start = time.perf_counter()
            stack.prepare(REPO, env, tc, target, Path(tmp) / env).apply()
            out[env] = {"deploy_seconds": round(time.perf_counter() - start, 1)}
        for env in contract.environments:
            seconds, result = [], None
            for _ in range(repeat):
                start = time.perf_counter()
                result = live.probe(target, env, contract, root=REPO)
                seconds.append(time.perf_counter() - start)
            assert result is not None
            by_service: dict[str, int] = {}
            for op, n in result.calls.calls.items():
                by_service[op.split(":", 1)[0]] = by_service.get(op.split(":", 1)[0], 0) + n
            out[env].update({"api_calls": result.calls.total, "mutating": result.calls.mutating,
                             "resources": len(result.resources), "probe_seconds_median": statistics.median(seconds),
                             "by_service": dict(sorted(by_service.items())), "read_only": contract.env(env).read_only})
    return out


def bench_deploy() -> dict:
    """Deploy + live of the environments the live tier deploys, against raw `tofu apply` of the same ones in the
    same run: in promotion order (as the live tier must: an environment only after the one before it passed) and
    two at a time (the cores' limit, the order ignored). Each contender gets a fresh moto."""
    from concurrent.futures import ThreadPoolExecutor

    from envgate import localaws, stack, toolchain
    from envgate.contract import load_contract

    tc = toolchain.ensure()
    envs = load_contract().promotion_order()

    def raw(parallel: int) -> float:
        with tempfile.TemporaryDirectory(prefix="envgate-bench-apply-") as tmp, \
                localaws.MotoServer(log=Path(tmp) / "moto.log") as server:
            target = stack.Target(endpoint=server.endpoint)
            start = time.perf_counter()
            localaws.ensure_state_backend(target.client)
            with ThreadPoolExecutor(parallel) as pool:
                list(pool.map(lambda env: stack.prepare(REPO, env, tc, target, Path(tmp) / env).apply(), envs))
            return time.perf_counter() - start

    def live_tier() -> float:
        with tempfile.TemporaryDirectory(prefix="envgate-bench-live-tier-") as tmp:
            return wall([PY, "-m", "pytest", "-m", "live", "-p", "no:cacheprovider", "-q", "-n", "2", "--dist",
                         "loadgroup", f"--env={','.join(envs)}", f"--report-dir={tmp}"])

    contenders = {f"raw tofu apply, {', '.join(envs)} in order": lambda: raw(1),
                  f"raw tofu apply, {', '.join(envs)}, 2 at a time": lambda: raw(2),
                  "pytest -m live -n 2 (deploy in promotion order + live gate, as `envgate gate` runs it)": live_tier}
    return {name: round(fn(), 1) for name, fn in contenders.items()}


def recorded_live_calls() -> dict:
    """The live tier records api_calls per environment in its JUnit XML (reports/live/junit.xml), if it ran."""
    import xml.etree.ElementTree as ET

    path = REPO / "reports" / "live" / "junit.xml"
    if not path.exists():
        return {}
    found = {}
    for case in ET.parse(path).iter("testcase"):
        if case.get("name", "").startswith("test_live_gate_has_no_fail["):
            env = case.get("name").split("[", 1)[1].rstrip("]")
            for prop in case.iter("property"):
                if prop.get("name") == "api_calls":
                    found[env] = prop.get("value")
    return found


# --- report --------------------------------------------------------------------------------------------------

def machine() -> dict:
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "0")
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cpus": os.cpu_count(), "memory_gib": round(int(mem) / 1024 ** 2, 1), "cpu": cpu,
            "python": platform.python_version(), "platform": platform.platform(),
            "load_at_start": os.getloadavg()}


def _rounded(value):
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def fmt(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def summary(results: dict) -> str:
    lines = [f"machine: {results['machine']}", ""]
    if "static" in results:
        s = results["static"]
        lines += ["## static", "", "| contender | median | min | max |", "|---|--:|--:|--:|"]
        lines += [f"| {k} | {fmt(v['median'])} | {fmt(v['min'])} | {fmt(v['max'])} |" for k, v in s.items()]
        ck = s["checkov -d terraform --external-checks-dir policies/checkov"]["median"]
        for name in ("envgate static (process, warm)", "envgate static (process, cold HCL cache)",
                     "pytest tests/static (what pre-commit runs, warm)"):
            lines.append(f"- checkov / {name}: {ck / s[name]['median']:.1f}x")
        lines.append("")
    if "scale" in results:
        lines += ["## static scale (generated configurations)", "", "| resources | envgate (3 envs, cold) | per resource "
                  "per env | peak RSS | 10 envs | per resource per env | peak RSS | checkov -d | checkov / envgate |",
                  "|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
        for size, r in results["scale"].items():
            ours = r["envgate evaluate_static, 3 environments (cold: tfparse runs)"]["median"]
            ten = r.get("envgate evaluate_static, 10 environments (cold)")
            tens = (f"{fmt(ten['median'])} | {r['envgate ms per resource per environment (10 environments)']} ms | "
                    f"{r['peak_rss_mb (10 environments)']} MB") if ten else "- | - | -"
            theirs = r["checkov -d terraform (all its checks, one pass)"]["median"]
            lines.append(f"| {size} | {fmt(ours)} | {r['envgate ms per resource per environment (3 environments)']} ms | "
                         f"{r['peak_rss_mb']} MB | {tens} | {fmt(theirs)} | {theirs / ours:.1f}x |")
        lines.append("")
    if "eval" in results:
        lines += ["## eval", ""]
        for size, r in results["eval"].items():
            lines += [f"### {size} resources ({r['findings']} findings, plan {r['plan_bytes'] / 1e6:.1f} MB, peak RSS "
                      f"{r['peak_rss_mb']} MB)", "",
                      "| contender | median | min | max |", "|---|--:|--:|--:|"]
            lines += [f"| {k} | {fmt(v['median'])} | {fmt(v['min'])} | {fmt(v['max'])} |" for k, v in r.items()
                      if isinstance(v, dict) and "median" in v]
            parts = r["envgate in-process parts (median s)"]
            lines.append("- in-process parts: " + ", ".join(f"{k} {fmt(v)}" for k, v in parts.items()))
            ck = r["checkov -f plan.json --framework terraform_plan (envgate's 7 checks)"]["median"]
            for name in ("envgate: plan.py + engine.evaluate (process)",
                         "envgate check-plan (process, writes findings.json/SARIF/Markdown)"):
                lines.append(f"- checkov / {name}: {ck / r[name]['median']:.1f}x")
            lines.append(f"- checkov / envgate evaluate() alone: {ck / parts['evaluate']:.1f}x")
            if "profile" in r:
                lines += ["", "```", r["profile"].strip(), "```"]
            lines.append("")
    if "plan" in results:
        p = results["plan"]
        lines += ["## plan", "", "| contender | median | min | max |", "|---|--:|--:|--:|"]
        lines += [f"| {k} | {fmt(v['median'])} | {fmt(v['min'])} | {fmt(v['max'])} |" for k, v in p.items()
                  if "median" in v]
        lines.append(f"- raw parts: {p['raw parts (median s)']}")
        lines.append(f"- raw per environment: {p['raw per environment (one run, s)']}")
        raw = p["raw: stack.prepare + tofu plan (production)"]["median"]
        for name in ("pytest -m plan -n 2 (dev, production, staging)",
                     "pytest -m plan -n 2 --endpoint=<one moto> (as `envgate gate` runs it)"):
            lines.append(f"- {name} / raw: {p[name]['median'] / raw:.2f}x")
        floor = p["floor (init + plan + show -json, no pytest)"]
        lines.append("- floor: " + json.dumps(_rounded(floor)))
        lines.append("")
    if "floor" in results:
        lines += ["## plan floor", "", "```", json.dumps(_rounded(results["floor"]), indent=1), "```", ""]
    if "live" in results:
        lines += ["## live", "", "| environment | API calls | mutating | resources | probe median | deploy | by service |",
                  "|---|--:|--:|--:|--:|--:|---|"]
        for env, r in results["live"].items():
            lines.append(f"| {env}{' (read-only)' if r['read_only'] else ''} | {r['api_calls']} | {r['mutating']} | "
                         f"{r['resources']} | {fmt(r['probe_seconds_median'])} | {r['deploy_seconds']} s | "
                         + ", ".join(f"{k} {n}" for k, n in r["by_service"].items()) + " |")
        lines.append("")
    if "deploy" in results:
        d = results["deploy"]
        lines += ["## deploy + live (one run each)", "", "| contender | wall |", "|---|--:|"]
        lines += [f"| {k} | {fmt(v)} |" for k, v in d.items()]
        tier, ordered, parallel = d[list(d)[2]], d[list(d)[0]], d[list(d)[1]]
        lines += [f"- live tier / raw in order: {tier / ordered:.2f}x; / raw 2 at a time: {tier / parallel:.2f}x", ""]
    if results.get("live_recorded"):
        lines.append(f"live tier JUnit api_calls: {results['live_recorded']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="static,scale,eval,plan,live", help="sections, comma-separated")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions per contender (plan: at most 3)")
    parser.add_argument("--sizes", default="1000,10000", help="synthetic plan sizes for the eval section")
    parser.add_argument("--scale-sizes", default="100,1000", help="generated configuration sizes (scale section)")
    parser.add_argument("--profile", action="store_true", help="cProfile engine.evaluate on each synthetic plan")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results.json")
    args = parser.parse_args(argv)
    sections = [s for s in args.only.split(",") if s]
    results: dict = {"machine": machine(), "repeat": args.repeat, "targets": TARGETS,
                     "command": " ".join([Path(PY).name, "benchmarks/run.py", *(argv or sys.argv[1:])])}
    with tempfile.TemporaryDirectory(prefix="envgate-bench-") as tmp:
        for section in sections:
            started = time.perf_counter()
            results[f"{section}_load_before"] = os.getloadavg()
            print(f"[bench] {section} ...", file=sys.stderr, flush=True)
            if section == "static":
                results["static"] = bench_static(args.repeat)
            elif section == "scale":
                results["scale"] = bench_scale([int(s) for s in args.scale_sizes.split(",")], args.repeat, Path(tmp))
            elif section == "eval":
                results["eval"] = bench_eval([int(s) for s in args.sizes.split(",")], args.repeat, Path(tmp),
                                             args.profile)
            elif section == "plan":
                results["plan"] = bench_plan(min(args.repeat, 3))
            elif section == "floor":  # (part of plan; alone to re-measure it on a quiet machine)
                results["floor"] = bench_plan_floor()
            elif section == "deploy":
                results["deploy"] = bench_deploy()
            elif section == "live":
                results["live"] = bench_live(min(args.repeat, 3))
                results["live_recorded"] = recorded_live_calls()
            else:
                raise SystemExit(f"unknown section {section!r} (static, scale, eval, plan, floor, deploy, live)")
            print(f"[bench] {section} done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
            save(results, args.out)  # each section as it ends: a later failure keeps what was measured
    results["machine"]["load_at_end"] = os.getloadavg()
    save(results, args.out)
    print(summary(results))


def save(results: dict, out: Path) -> None:
    previous = json.loads(out.read_text()) if out.exists() else {}
    previous.update({k: v for k, v in results.items()})
    previous["failed_runs"] = FAILED_RUNS
    out.write_text(json.dumps(previous, indent=1, default=str) + "\n")


if __name__ == "__main__":
    main()
