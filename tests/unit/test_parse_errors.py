"""Broken HCL stops the static gate with one line naming file and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from envgate.engine import evaluate_static
from envgate.errors import EnvgateError


def _break(root: Path, name: str, line: int, text: str) -> None:
    path = root / name
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(line - 1, text)
    path.write_text("".join(lines))


def test_tf_parse_error_names_file_and_line(repo_copy: Callable[[], Path]) -> None:
    root = repo_copy()
    _break(root, "terraform/s3.tf", 3, "  bucket_prefix = \n")
    with pytest.raises(EnvgateError) as raised:
        evaluate_static(root, "production")
    message = str(raised.value)
    assert message == "terraform/s3.tf:3: HCL parse error: unexpected end of line at column 19", message
    assert "\n" not in message


def test_tfvars_parse_error_names_file_and_line(repo_copy: Callable[[], Path]) -> None:
    root = repo_copy()
    _break(root, "environments/staging.tfvars", 2, 'log_level = "DEBUG\n')
    with pytest.raises(EnvgateError, match=r"^environments/staging\.tfvars:\d+: HCL parse error: "):
        evaluate_static(root, "staging")


def test_duplicate_attribute_is_a_parse_error(repo_copy: Callable[[], Path]) -> None:
    root = repo_copy()
    _break(root, "environments/dev.tfvars", 1, "log_retention_days = 3\n")
    with pytest.raises(EnvgateError, match=r"^environments/dev\.tfvars:\d+: HCL parse error: attribute "
                                           r"'log_retention_days' is set twice \(first on line 1\)$"):
        evaluate_static(root, "dev")
