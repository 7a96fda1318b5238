"""What tofu would refuse is never a PASS: one error line naming the file (and line) instead of a verdict."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from envgate.engine import evaluate_static
from envgate.errors import EnvgateError
from envgate.sources import hcl

QUEUE = '''
resource "aws_sqs_queue" "DownloadQueueDLQ" {
  name = "${local.name_prefix}-DownloadQueue-DLQ"
}
'''


def _edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text()
    assert old in text, f"{old!r} in {name}"
    path.write_text(text.replace(old, new, 1))


def _error(root: Path, env: str = "production") -> str:
    with pytest.raises(EnvgateError) as raised:
        evaluate_static(root, env)
    message = str(raised.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_block_pasted_twice_is_refused(repo_copy: Callable[[], Path]) -> None:
    root = repo_copy()
    with (root / "terraform" / "sqs.tf").open("a") as handle:
        handle.write(QUEUE)
    assert re.fullmatch(r"terraform/sqs\.tf:\d+: duplicate resource block aws_sqs_queue\.DownloadQueueDLQ "
                        r"\(first defined at terraform/sqs\.tf:\d+\); tofu refuses this", _error(root))


def test_duplicate_local_is_refused(repo_copy: Callable[[], Path]) -> None:
    root = repo_copy()
    (root / "terraform" / "more.tf").write_text('locals {\n  name_prefix = "x"\n}\n')
    assert _error(root).startswith("terraform/more.tf:2: duplicate local value 'name_prefix' (first defined at "
                                   "terraform/locals.tf:")


@pytest.mark.parametrize(("old", "new", "what"), [
    ("retention_in_days = var.log_retention_days", "retention_in_days = var.log_retention", "variable var.log_retention"),
    ("name_prefix}-RegisterUser\"", "prefix}-RegisterUser\"", "local value local.prefix"),
])
def test_reference_to_undeclared_name_is_refused(repo_copy: Callable[[], Path], old: str, new: str, what: str) -> None:
    root = repo_copy()
    _edit(root, "terraform/logs.tf", old, new)
    assert re.fullmatch(rf"terraform/logs\.tf:\d+: reference to undeclared {re.escape(what)} in "
                        r"aws_cloudwatch_log_group\.\w+; tofu refuses this", _error(root))


def test_reference_to_undeclared_resource_is_refused(repo_copy: Callable[[], Path]) -> None:
    root = repo_copy()
    _edit(root, "terraform/eventbridge.tf", "aws_sqs_queue.DownloadQueue.arn", "aws_sqs_queue.Downloads.arn")
    assert re.fullmatch(r"terraform/eventbridge\.tf:\d+: reference to undeclared resource aws_sqs_queue\.Downloads "
                        r"in aws_cloudwatch_event_target\.DownloadQueue; tofu refuses this", _error(root))


def test_tfvars_value_of_the_wrong_type_is_refused(repo_copy: Callable[[], Path]) -> None:
    root = repo_copy()
    _edit(root, "environments/dev.tfvars", "log_retention_days = 1", 'log_retention_days = "one"')
    assert re.fullmatch(r"environments/dev\.tfvars:\d+: log_retention_days is a string, but variable "
                        r"'log_retention_days' is number \(terraform/variables\.tf:\d+\); tofu refuses this",
                        _error(root, "dev"))


def test_variable_without_value_is_an_error_not_a_type_default(repo_copy: Callable[[], Path]) -> None:
    root = repo_copy()
    path = root / "environments" / "staging.tfvars"
    path.write_text("".join(ln for ln in path.read_text().splitlines(True) if not ln.startswith("api_quota_limit")))
    assert re.fullmatch(r"terraform/variables\.tf:\d+: variable 'api_quota_limit' has no value for environment staging "
                        r"\(no default, not set in environments/staging\.tfvars\)", _error(root, "staging"))


def test_tfparse_crash_is_one_line(repo_copy: Callable[[], Path], monkeypatch: pytest.MonkeyPatch,
                                   tmp_path: Path) -> None:
    """A Go panic inside tfparse kills its process; envgate reports it and the caller lives on."""
    monkeypatch.setenv("ENVGATE_HOME", str(tmp_path / "home"))  # no cached evaluation to fall back on
    crash = "import sys; sys.stderr.write('panic: runtime error: index out of range\\n\\ngoroutine 1\\n'); sys.exit(2)"
    monkeypatch.setattr(hcl, "worker_command", lambda *args: [sys.executable, "-c", crash])
    assert _error(repo_copy()) == ("terraform (production): tfparse could not evaluate the configuration: "
                                   "panic: runtime error: index out of range")


def test_tfparse_killed_by_a_signal_is_one_line(repo_copy: Callable[[], Path], monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setenv("ENVGATE_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(hcl, "worker_command", lambda *args: [sys.executable, "-c", "import os; os.abort()"])
    assert _error(repo_copy()) == ("terraform (production): tfparse could not evaluate the configuration: "
                                   "killed by signal 6")
