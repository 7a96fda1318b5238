"""Once-per-session work (plan, deploy) of an environment, shared by pytest-xdist workers.

The xdist once-only pattern: every worker may ask for `staging`'s plan or deployment; the first one takes
a file lock keyed by the environment in the session's shared temp dir, does the work and writes a JSON
record; the others wait on the lock and read the record. A failure is recorded too, so a broken apply is
reported by every test that needs it instead of being retried by each worker.
"""

from __future__ import annotations

import hashlib
import json
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import tftest
from filelock import FileLock

from envgate import localaws, stack
from envgate.errors import EnvgateError
from envgate.toolchain import Toolchain


def shared_dir(tmp_path_factory, worker: bool) -> Path:
    """The directory every worker of this session sees: basetemp's parent for an xdist worker, basetemp otherwise
    (its parent is shared by *all* sessions when xdist is off, so it must not hold session records). `worker`
    comes from the session's own config: a pytest started from inside a worker inherits PYTEST_XDIST_WORKER."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if worker else base
    path = root / "envgate-shared"
    path.mkdir(exist_ok=True)
    return path


def run_once(shared: Path, key: str, work: Callable[[], dict]) -> dict:
    """`work()` once per session across workers; its JSON-able result is returned to every caller."""
    record = shared / f"{key}.json"
    with FileLock(str(shared / f"{key}.lock")):
        if not record.exists():
            try:
                result = {"ok": True, **work()}
            except EnvgateError as exc:
                result = {"ok": False, "error": str(exc)}
            except Exception as exc:  # noqa: BLE001 - recorded, then raised in every caller
                result = {"ok": False, "error": f"{type(exc).__name__}: {exc}",
                          "traceback": traceback.format_exc(limit=5)}
            record.write_text(json.dumps(result, indent=1, default=str))
        result = json.loads(record.read_text())
    if not result.get("ok"):
        raise EnvgateError(f"{key}: {result['error']}")
    return result


def state_backend(shared: Path, target: stack.Target) -> None:
    """Create the state bucket and lock table on a local target once (workers would race on create)."""
    if not target.endpoint:
        return
    key = f"backend-{target.endpoint.rsplit(':', 1)[-1]}-{target.state_bucket}"
    run_once(shared, key, lambda: (localaws.ensure_state_backend(target.client, target.state_bucket,
                                                                 target.lock_table), {})[1])


@dataclass
class Deployment:
    """A record of `tofu apply` for one environment in a scratch working copy."""

    env: str
    workdir: Path
    tfdir: str
    var_files: tuple[str, ...]
    outputs: dict
    commands: list[str]
    seconds: float

    def attach(self, toolchain: Toolchain, target: stack.Target) -> stack.StackRun:
        """A StackRun on the already initialised working copy (any worker can re-run tofu in it)."""
        tf = tftest.TerraformTest(self.tfdir, binary=str(toolchain.tofu), env={**toolchain.env(), **target.env()})
        run = stack.StackRun(self.env, self.workdir, tf, self.var_files, target)
        run.commands.extend(self.commands[:1])
        return run


def plan_once(shared: Path, repo: Path, env: str, toolchain: Toolchain, target: stack.Target) -> dict:
    """`tofu plan` of `env` once per session: {"plan_file", "commands", "seconds", "workdir"}."""
    state_backend(shared, target)

    def work() -> dict:
        workdir = shared / f"plan-{_key(repo, env, target)}"
        workdir.mkdir(exist_ok=True)
        start = time.monotonic()
        with _one_state_user(shared, repo, env, target):
            run = stack.prepare(repo, env, toolchain, target, workdir)
            doc = run.plan_json()
        path = shared / f"plan-{_key(repo, env, target)}.plan.json"
        path.write_text(json.dumps(doc))
        return {"plan_file": str(path), "commands": run.commands, "seconds": round(time.monotonic() - start, 1),
                "workdir": str(workdir)}

    return run_once(shared, f"plan-{_key(repo, env, target)}", work)


def deploy_once(shared: Path, repo: Path, env: str, toolchain: Toolchain, target: stack.Target) -> Deployment:
    """`tofu apply` of `env` once per session (local targets only)."""
    if not target.endpoint:
        raise EnvgateError(f"{env}: envgate only deploys to the local AWS emulator, never to real AWS")
    state_backend(shared, target)

    def work() -> dict:
        workdir = shared / f"deploy-{_key(repo, env, target)}"
        workdir.mkdir(exist_ok=True)
        start = time.monotonic()
        with _one_state_user(shared, repo, env, target):
            run = stack.prepare(repo, env, toolchain, target, workdir)
            run.apply()
        return {"workdir": str(workdir), "tfdir": str(run.tf.tfdir), "var_files": list(run.var_files),
                "outputs": run.outputs(), "commands": run.commands, "seconds": round(time.monotonic() - start, 1)}

    record = run_once(shared, f"deploy-{_key(repo, env, target)}", work)
    return Deployment(env, Path(record["workdir"]), record["tfdir"], tuple(record["var_files"]), record["outputs"],
                      record["commands"], record["seconds"])


def _one_state_user(shared: Path, repo: Path, env: str, target: stack.Target) -> FileLock:
    """The session's plan and apply of one environment take turns: tofu would refuse the second one its state
    lock instead of waiting for it."""
    return FileLock(str(shared / f"state-{_key(repo, env, target)}.lock"))


def _key(repo: Path, env: str, target: stack.Target) -> str:
    """One run per stack, environment and target: two stacks may both have a `staging`."""
    stack_id = hashlib.sha256(str(repo.resolve()).encode()).hexdigest()[:8]
    endpoint = (target.endpoint or "aws").rsplit(":", 1)[-1].replace("/", "")
    return f"{env}-{stack_id}-{endpoint}-{target.state_bucket}"


@contextmanager
def private_moto(shared: Path, log: Path, region: str = localaws.DEFAULT_REGION) -> Iterator[stack.Target]:
    """A moto of one's own (scratch deployments, seeded drift), with the state backend in place."""
    with localaws.MotoServer(log=log) as server:
        target = stack.Target(endpoint=server.endpoint, region=region)
        localaws.ensure_state_backend(target.client)
        yield target
