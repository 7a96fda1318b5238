"""Runs tfparse in its own process: a Go panic or hang there must never take the caller down.

    python -m envgate.sources.tfparse_worker STACK_DIR WORKSPACE [VAR_FILE ...]

VAR_FILEs are relative to STACK_DIR (tfparse's convention). Prints the evaluated blocks as JSON on stdout.
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: tfparse_worker STACK_DIR WORKSPACE [VAR_FILE ...]", file=sys.stderr)
        return 2
    import tfparse

    stack, workspace, var_files = argv[0], argv[1], argv[2:]
    try:
        blocks = tfparse.load_from_path(stack, vars_paths=var_files, workspace_name=workspace)
    except Exception as exc:  # tfparse raises its own ParseError and plain errors; the caller words them
        print(" ".join(str(exc).split()) or type(exc).__name__, file=sys.stderr)
        return 1
    json.dump(blocks, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
