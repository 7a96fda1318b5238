"""Run the stack with tofu (through tftest) in a scratch copy: no state, no .terraform, no lock file.

The same code drives plan (plan gate), apply (live gate on the local AWS) and destroy.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import botocore.config
import tftest

from envgate import localaws
from envgate.contract import Contract, load_contract
from envgate.errors import EnvgateError
from envgate.toolchain import Toolchain

SCRATCH_IGNORE = shutil.ignore_patterns(
    ".terraform", ".terraform.lock.hcl", "*.tfstate", "*.tfstate.*", "*.tfplan", localaws.OVERRIDE_NAME,
)


@dataclass
class Target:
    """Where a run goes: the local moto endpoint, or real AWS when endpoint is None."""

    endpoint: str | None
    region: str = localaws.DEFAULT_REGION
    state_bucket: str = localaws.STATE_BUCKET
    lock_table: str = localaws.LOCK_TABLE

    def env(self) -> dict[str, str]:
        return localaws.sandbox_env(self.endpoint, self.region) if self.endpoint else {"AWS_REGION": self.region}

    def session(self) -> boto3.Session:
        if self.endpoint:
            return boto3.Session(region_name=self.region, **localaws.boto_credentials())
        return boto3.Session(region_name=self.region)

    def client(self, service: str, session: boto3.Session | None = None):
        """A client on this target, with adaptive retries for throttling."""
        cfg = botocore.config.Config(retries={"mode": "adaptive", "max_attempts": 8})
        return (session or self.session()).client(service, endpoint_url=self.endpoint, config=cfg)


@dataclass(frozen=True)
class Selection:
    """How tofu selects one environment (repository-relative paths): the contract's layout."""

    stack: str
    var_files: tuple[str, ...]
    workspace: str
    state_key: str                            # the backend `key`; the workspace prefix is the backend's business
    backend_file: str | None = None
    backend: Mapping[str, str] = field(default_factory=dict)   # the backend file's settings


def selection(repo: Path, env: str, contract: Contract | None = None) -> Selection:
    """The environment's selection from the contract (default: the repository's policies/contract.yaml)."""
    if contract is None:
        path = repo / "policies" / "contract.yaml"
        if not path.is_file():
            raise EnvgateError(f"{path}: no contract: it says how environment {env!r} is selected")
        contract = load_contract(path)
    spec = contract.env(env)
    return Selection(contract.layout.stack, tuple(spec.var_files), spec.workspace_name, contract.state_key(env, repo),
                     spec.backend_config, contract.backend_settings(env, repo))


@dataclass
class StackRun:
    """One environment's working copy, initialised and in its workspace."""

    environment: str
    workdir: Path
    tf: tftest.TerraformTest
    var_files: tuple[str, ...]      # relative to the stack directory, as tofu takes them
    target: Target
    commands: list[str] = field(default_factory=list)

    @property
    def var_flags(self) -> list[str]:
        return [f"-var-file={v}" for v in self.var_files]

    def _call(self, what: str, fn, *args, **kwargs):
        cmd = f"cd {self.tf.tfdir} && tofu {what} {' '.join(self.var_flags)}"
        self.commands.append(cmd)
        try:
            return fn(*args, **kwargs)
        except tftest.TerraformTestError as exc:
            output = _output(exc)
            raise EnvgateError(f"{self.environment}: tofu {what} failed: {_first_error(output)}\n  reproduce: {cmd}"
                               f"{_details(output)}") from None

    def plan_json(self) -> dict:
        out = self._call("plan", self.tf.plan, output=True, tf_var_file=list(self.var_files))
        return out._raw  # the untouched `tofu show -json` document

    def drift_json(self) -> dict:
        """`tofu plan -refresh-only` (no lock, nothing written) as plan JSON: what changed outside tofu."""
        args = ["-input=false", "-no-color", "-refresh-only", "-lock=false", "-out=envgate-drift.tfplan",
                *self.var_flags]
        self.commands.append(f"cd {self.tf.tfdir} && tofu plan {' '.join(args)} && tofu show -json envgate-drift.tfplan")
        planned = self.tf.execute_command("plan", *args)
        if planned.retcode != 0:
            raise EnvgateError(f"{self.environment}: tofu plan -refresh-only failed: {_first_error(planned.err or planned.out)}"
                               f"\n  reproduce: {self.commands[-1]}")
        shown = self.tf.execute_command("show", "-json", "envgate-drift.tfplan")
        try:
            return json.loads(shown.out)
        except json.JSONDecodeError:
            raise EnvgateError(f"{self.environment}: tofu show -json printed no plan JSON: {shown.out[:200]!r}") from None

    def plan_exitcode(self) -> int:
        """`tofu plan -detailed-exitcode`: 0 no changes, 2 changes."""
        res = self.tf.execute_command("plan", "-input=false", "-no-color", "-detailed-exitcode", *self.var_flags)
        return res.retcode

    def apply(self) -> str:
        return self._call("apply", self.tf.apply, tf_var_file=list(self.var_files))

    def destroy(self) -> str:
        return self._call("destroy", self.tf.destroy, tf_var_file=list(self.var_files))

    def outputs(self) -> dict:
        return {k: v for k, v in self.tf.output().items()}


def _output(exc: tftest.TerraformTestError) -> str:
    # str(exc) is the repr of its (message, stderr) args: one line with the newlines escaped, no "Error:" line.
    return str(exc.args[0]) if exc.args else str(exc)


def _details(output: str) -> str:
    """tofu's whole message, indented under the one-line summary (the lock holder, the provider's reason)."""
    lines = [line.strip(" │╷╵") for line in output.splitlines()]
    return "".join(f"\n    {line}" for line in lines if line)


def _first_error(text: str) -> str:
    for line in text.splitlines():
        line = line.strip(" │╷╵")
        if line.startswith("Error:"):
            return line
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else text


def prepare(repo: Path, environment: str, toolchain: Toolchain, target: Target, workdir: Path,
            contract: Contract | None = None, sel: Selection | None = None) -> StackRun:
    """Copy the stack and the environment's files to workdir, wire it to the target, init, select the workspace."""
    sel = sel or selection(repo, environment, contract)
    src = repo / sel.stack
    if not src.is_dir():
        raise EnvgateError(f"{src}: stack directory not found")
    dest = workdir / sel.stack
    shutil.copytree(src, dest, ignore=SCRATCH_IGNORE)
    for rel in (*sel.var_files, *([sel.backend_file] if sel.backend_file else [])):
        if not (repo / rel).is_file():
            raise EnvgateError(f"{rel}: no such file (environment {environment!r} in the contract)")
        (workdir / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / rel, workdir / rel)
    if target.endpoint:
        (dest / localaws.OVERRIDE_NAME).write_text(localaws.provider_override(target.endpoint, target.region))
    env = {**toolchain.env(), **target.env()}
    tf = tftest.TerraformTest(str(dest), binary=str(toolchain.tofu), env=env)
    # The environment's backend file, then what points the state at this target (as tofu: later values win).
    target_backend = localaws.backend_config(target.endpoint, target.region, target.state_bucket, target.lock_table,
                                             key=sel.state_key)
    shown = [f"-backend-config={os.path.relpath(workdir / sel.backend_file, dest)}"] if sel.backend_file else []
    shown += [shlex.quote(f"-backend-config={k}={v}") for k, v in target_backend.items()]
    run = StackRun(environment, workdir, tf, tuple(os.path.relpath(workdir / v, dest) for v in sel.var_files), target)
    run.commands.append(f"cd {dest} && tofu init {' '.join(shown)} && tofu workspace select -or-create {sel.workspace}")
    try:
        # Against real AWS the team's own backend file is authoritative.
        init_vars = {**sel.backend, **target_backend} if target.endpoint else {**target_backend, **sel.backend}
        tf.setup(init_vars=init_vars, workspace_name=sel.workspace, cleanup_on_exit=False)
    except tftest.TerraformTestError as exc:
        output = _output(exc)
        raise EnvgateError(f"{environment}: tofu init failed: {_first_error(output)}\n  reproduce: {run.commands[-1]}"
                           f"{_details(output)}") from None
    return run


def load_plan_file(path: Path) -> dict:
    """A plan JSON made elsewhere (`tofu show -json plan.out`), for --plan-file."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise EnvgateError(f"{path}: cannot read plan file: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise EnvgateError(f"{path}:{exc.lineno}: not valid plan JSON: {exc.msg}") from None
