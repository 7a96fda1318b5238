"""pre-commit hook: `tofu fmt -check` over the stack, skipped with a notice where no tofu is installed.

Uses tofu from PATH or the one scripts/bootstrap built under $ENVGATE_HOME/tofu; never builds one
(a commit hook must stay quick).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from envgate.toolchain import home

TARGETS = ("terraform", "environments")


def find_tofu() -> str | None:
    built = sorted(home().glob("tofu/*/tofu"))
    return shutil.which("tofu") or (str(built[-1]) if built else None)


def main() -> int:
    tofu = find_tofu()
    if tofu is None:
        print("tofu fmt: skipped, tofu is not installed (run scripts/bootstrap)", file=sys.stderr)
        return 0
    targets = [t for t in TARGETS if Path(t).is_dir()]
    # An unset or missing CLI config file only makes tofu print warnings.
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.environ.get("TF_CLI_CONFIG_FILE") or os.devnull)
    proc = subprocess.run([tofu, "fmt", "-check", "-recursive", "-diff", *targets], env=env, check=False)
    if proc.returncode:
        print("tofu fmt: the files above are not formatted (run `tofu fmt -recursive`)", file=sys.stderr)
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
