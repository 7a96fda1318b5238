"""Provide `tofu` and the `hashicorp/aws` provider offline, cached outside the repo.

tofu: one on PATH if its version fits, else a pinned OpenTofu release built from its Go module.
hashicorp/aws: a filesystem mirror under ENVGATE_HOME, filled by a Go-module build of a pinned
commit (ENVGATE_AWS_PROVIDER_REF) or, where the Go proxy refuses that module, by a provider
binary already installed on the machine (e.g. the image's /opt/tf-plugins mirror).
`ENVGATE_USE_REGISTRY=1` skips all of it for users with internet and a normal `tofu init`.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from envgate.errors import EnvgateError

TOFU_VERSION = "1.12.6"
TOFU_MIN = (1, 10, 0)
TOFU_MODULE = "github.com/opentofu/opentofu"
AWS_MODULE = "github.com/hashicorp/terraform-provider-aws"
AWS_MIN = (5, 100, 0)
# Machines may carry unpacked provider mirrors; the polyglot image ships hashicorp/aws here.
PREINSTALLED_MIRRORS = ("/opt/tf-plugins", "/usr/share/terraform/plugins", "~/.terraform.d/plugins")
MIRROR_HOST = "registry.opentofu.org"


def home() -> Path:
    return Path(os.environ.get("ENVGATE_HOME", "~/.cache/envgate")).expanduser()


def use_registry() -> bool:
    return os.environ.get("ENVGATE_USE_REGISTRY", "") not in ("", "0", "false")


def _vtuple(text: str) -> tuple[int, ...]:
    m = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    if not m:
        raise EnvgateError(f"cannot read a version from {text!r}")
    return tuple(int(p) for p in m.groups())


def _say(msg: str) -> None:
    print(f"[envgate setup] {msg}", file=sys.stderr, flush=True)


def _run(cmd: list[str], *, cwd: Path | None = None, env: dict | None = None, what: str) -> str:
    """Run a long step, printing a heartbeat so a cold build never looks hung."""
    start = time.monotonic()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        while True:
            try:
                proc.wait(timeout=30)
                break
            except subprocess.TimeoutExpired:
                _say(f"  … {what}: {int(time.monotonic() - start)} s elapsed")
        out.seek(0)
        text = out.read()
    if proc.returncode != 0:
        tail = " | ".join(text.strip().splitlines()[-3:])
        raise EnvgateError(f"{what} failed (exit {proc.returncode}): {tail}")
    return text


def go_version() -> str:
    go = shutil.which("go")
    if not go:
        raise EnvgateError("`go` is not on PATH: it is needed to build tofu and the AWS provider")
    out = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True, check=True).stdout
    return out.strip()


def _go_module_dir(module: str, version: str) -> Path:
    """Download a module through the Go proxy and return its read-only source dir."""
    proc = subprocess.run(["go", "mod", "download", "-json", f"{module}@{version}"], capture_output=True, text=True)
    try:
        info = json.loads(proc.stdout)
    except json.JSONDecodeError:
        info = {"Error": (proc.stderr.strip().splitlines() or ["no output"])[-1]}
    if proc.returncode or info.get("Error"):
        reason = " ".join(str(info.get("Error", "")).split())
        raise EnvgateError(f"the Go module proxy did not serve {module}@{version}: {reason}")
    return Path(info["Dir"])


def _go_build(src: Path, pkg: str, out: Path, ldflags: str, what: str) -> None:
    """Build from a writable copy: opentofu's go.mod has replace directives, so `go install @v` fails."""
    with tempfile.TemporaryDirectory(prefix="envgate-build-") as tmp:
        work = Path(tmp) / "src"
        shutil.copytree(src, work)
        for p in work.rglob("*"):
            p.chmod(p.stat().st_mode | 0o200)
        env = dict(os.environ, CGO_ENABLED="0")
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_suffix(".partial")
        _run(["go", "build", "-trimpath", "-ldflags", ldflags, "-o", str(partial), pkg], cwd=work, env=env, what=what)
        partial.rename(out)


def tofu_version(binary: Path | str) -> tuple[int, ...] | None:
    try:
        # The machine may point TF_CLI_CONFIG_FILE at a missing file; tofu then warns on stdout.
        env = dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull)
        out = subprocess.run([str(binary), "version", "-json"], capture_output=True, text=True, timeout=60, env=env)
        return _vtuple(json.loads(out.stdout)["terraform_version"])
    except (OSError, ValueError, KeyError, subprocess.TimeoutExpired, EnvgateError):
        return None


def ensure_tofu() -> Path:
    on_path = shutil.which("tofu")
    if on_path and (v := tofu_version(on_path)) and TOFU_MIN <= v < (2, 0, 0):
        return Path(on_path)
    target = home() / "tofu" / f"{TOFU_VERSION}-{go_version()}" / "tofu"
    if target.exists() and tofu_version(target):
        return target
    _say(f"building OpenTofu {TOFU_VERSION} from its Go module (cold: ~6 min on 2 cores, ~1.5 GiB peak)")
    src = _go_module_dir(TOFU_MODULE, f"v{TOFU_VERSION}")
    ldflags = "-s -w -X 'github.com/opentofu/opentofu/version.dev=no'"
    _go_build(src, "./cmd/tofu", target, ldflags, what=f"go build OpenTofu {TOFU_VERSION}")
    _say(f"tofu ready: {target}")
    return target


@dataclass(frozen=True)
class Provider:
    version: str
    binary: Path
    source: str


def mirror_dir() -> Path:
    return home() / "plugins"


def _mirror_binary(version: str) -> Path:
    return mirror_dir() / MIRROR_HOST / "hashicorp" / "aws" / version / "linux_amd64" / f"terraform-provider-aws_v{version}_x5"


def _cached_providers() -> list[Provider]:
    found = []
    for path in glob.glob(str(mirror_dir() / MIRROR_HOST / "hashicorp/aws/*/linux_amd64/terraform-provider-aws_v*")):
        version = Path(path).parent.parent.name
        if _vtuple(version) >= AWS_MIN:
            found.append(Provider(version, Path(path), "cache"))
    return sorted(found, key=lambda p: _vtuple(p.version), reverse=True)


def _preinstalled_providers() -> list[Provider]:
    found = []
    for root in PREINSTALLED_MIRRORS:
        pattern = str(Path(root).expanduser() / "*/hashicorp/aws/*/linux_amd64/terraform-provider-aws_v*")
        for path in glob.glob(pattern):
            version = Path(path).parent.parent.name
            if re.fullmatch(r"\d+\.\d+\.\d+", version) and _vtuple(version) >= AWS_MIN and os.access(path, os.X_OK):
                found.append(Provider(version, Path(path), path))
    return sorted(found, key=lambda p: _vtuple(p.version), reverse=True)


def _install(binary: Path, version: str) -> Path:
    target = _mirror_binary(version)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(binary, target)  # a 700 MB binary: link, don't copy, when on the same filesystem
    except OSError:
        shutil.copy2(binary, target)
    target.chmod(0o755)
    return target


def build_aws_provider(ref: str, version: str) -> Provider:
    """ref: the release tag's commit (the module has no /v6 path, so tags are not module versions)."""
    _say(f"building hashicorp/aws {version} from {AWS_MODULE}@{ref} (cold: the largest Go build here, tens of minutes)")
    src = _go_module_dir(AWS_MODULE, ref)
    out = home() / "provider-build" / f"{version}-{go_version()}" / "terraform-provider-aws"
    if not out.exists():
        ldflags = f"-s -w -X 'github.com/hashicorp/terraform-provider-aws/version.ProviderVersion={version}'"
        _go_build(src, ".", out, ldflags, what=f"go build hashicorp/aws {version}")
    return Provider(version, _install(out, version), f"built from {AWS_MODULE}@{ref}")


def ensure_aws_provider() -> Provider:
    ref = os.environ.get("ENVGATE_AWS_PROVIDER_REF", "")
    wanted = os.environ.get("ENVGATE_AWS_PROVIDER_VERSION", "")
    for cached in _cached_providers():
        if not wanted or cached.version == wanted:
            return cached
    if ref:
        return build_aws_provider(ref, wanted or "6.0.0")
    pre = _preinstalled_providers()
    if pre:
        chosen = pre[0]
        _say(f"hashicorp/aws {chosen.version}: using the machine's provider binary {chosen.binary}")
        return Provider(chosen.version, _install(chosen.binary, chosen.version), chosen.source)
    raise EnvgateError(
        "no hashicorp/aws >= 5.100 provider: set ENVGATE_AWS_PROVIDER_REF=<release tag commit> and "
        "ENVGATE_AWS_PROVIDER_VERSION=<x.y.z> to build it from its Go module, or ENVGATE_USE_REGISTRY=1 "
        "to let `tofu init` download it"
    )


def cli_config() -> Path:
    """A CLI config whose provider_installation is only the local mirror: init never goes online.
    No plugin_cache_dir: tofu links an unpacked mirror straight into .terraform (0.5 s, no copy), while a
    shared cache is reinstalled on every lock-file-less init and races between parallel inits."""
    path = home() / "tofurc"
    text = (
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror_dir()}"\n'
        '    include = ["registry.opentofu.org/hashicorp/aws"]\n'
        "  }\n"
        "}\n"
    )
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return path


@dataclass(frozen=True)
class Toolchain:
    tofu: Path
    provider: Provider | None
    cli_config: Path | None

    def env(self) -> dict[str, str]:
        """Environment for running tofu with this toolchain."""
        env = {
            "PATH": f"{self.tofu.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
        }
        if self.cli_config:
            env["TF_CLI_CONFIG_FILE"] = str(self.cli_config)
        return env


def _link_into_bin(tofu: Path) -> None:
    """A stable path for scripts and shells: $ENVGATE_HOME/bin/tofu."""
    link = home() / "bin" / "tofu"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink() or link.resolve() != tofu.resolve():
        link.unlink(missing_ok=True)
        link.symlink_to(tofu)


def ensure() -> Toolchain:
    tofu = ensure_tofu()
    _link_into_bin(tofu)
    if use_registry():
        return Toolchain(tofu, None, None)
    provider = ensure_aws_provider()
    return Toolchain(tofu, provider, cli_config())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        tc = ensure()
    except EnvgateError as exc:
        print(f"envgate setup: {exc}", file=sys.stderr)
        return 1
    if argv[:1] == ["--shell"]:
        for key, value in tc.env().items():
            print(f"export {key}={value!r}".replace("'", '"'))
        return 0
    _say(f"tofu {'.'.join(map(str, tofu_version(tc.tofu) or ()))}: {tc.tofu}")
    if tc.provider:
        _say(f"hashicorp/aws {tc.provider.version}: {tc.provider.binary} ({tc.provider.source})")
        _say(f"TF_CLI_CONFIG_FILE={tc.cli_config}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
