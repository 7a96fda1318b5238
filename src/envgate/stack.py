"""Run the stack with tofu (through tftest) in a scratch copy: no state, no .terraform, no lock file.

The same code drives plan (plan gate), apply (live gate on the local AWS) and destroy.
"""

from __future__ import annotations

import json
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import botocore.config
import tftest

from envgate import localaws
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


@dataclass
class StackRun:
    """One environment's working copy, initialised and in its workspace."""

    environment: str
    workdir: Path
    tf: tftest.TerraformTest
    var_file: str
    target: Target
    commands: list[str] = field(default_factory=list)

    def _call(self, what: str, fn, *args, **kwargs):
        cmd = f"cd {self.workdir / 'terraform'} && tofu {what} -var-file={self.var_file}"
        self.commands.append(cmd)
        try:
            return fn(*args, **kwargs)
        except tftest.TerraformTestError as exc:
            output = _output(exc)
            raise EnvgateError(f"{self.environment}: tofu {what} failed: {_first_error(output)}\n  reproduce: {cmd}"
                               f"{_details(output)}") from None

    def plan_json(self) -> dict:
        out = self._call("plan", self.tf.plan, output=True, tf_var_file=self.var_file)
        return out._raw  # the untouched `tofu show -json` document

    def plan_exitcode(self) -> int:
        """`tofu plan -detailed-exitcode`: 0 no changes, 2 changes."""
        res = self.tf.execute_command("plan", "-input=false", "-no-color", "-detailed-exitcode", f"-var-file={self.var_file}")
        return res.retcode

    def apply(self) -> str:
        return self._call("apply", self.tf.apply, tf_var_file=self.var_file)

    def destroy(self) -> str:
        return self._call("destroy", self.tf.destroy, tf_var_file=self.var_file)

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
            stack_dir: str = "terraform", var_file: str | None = None) -> StackRun:
    """Copy the stack and environments/ to workdir, wire it to the target, init, select workspace."""
    src = repo / stack_dir
    if not src.is_dir():
        raise EnvgateError(f"{src}: stack directory not found")
    dest = workdir / "terraform"
    shutil.copytree(src, dest, ignore=SCRATCH_IGNORE)
    if (repo / "environments").is_dir():
        shutil.copytree(repo / "environments", workdir / "environments")
    var_file = var_file or f"../environments/{environment}.tfvars"
    if not (dest / var_file).resolve().is_file():
        raise EnvgateError(f"environments/{environment}.tfvars: no tfvars file for environment {environment!r}")
    if target.endpoint:
        (dest / localaws.OVERRIDE_NAME).write_text(localaws.provider_override(target.endpoint, target.region))
    env = {**toolchain.env(), **target.env()}
    tf = tftest.TerraformTest(str(dest), binary=str(toolchain.tofu), env=env)
    backend = localaws.backend_config(target.endpoint, target.region, target.state_bucket, target.lock_table)
    run = StackRun(environment, workdir, tf, var_file, target)
    init_cmd = "tofu init " + " ".join(shlex.quote(f"-backend-config={k}={v}") for k, v in backend.items())
    run.commands.append(f"cd {dest} && {init_cmd} && tofu workspace select -or-create {environment}")
    try:
        tf.setup(init_vars=backend, workspace_name=environment, cleanup_on_exit=False)
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
