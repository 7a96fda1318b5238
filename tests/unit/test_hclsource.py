"""HCL loading: values, expressions, line numbers and one-line parse errors."""

from __future__ import annotations

import pytest

from envgate.errors import EnvgateError
from envgate.hclsource import Expr, parse_text

SOURCE = '''
locals {
  tags = {
    Project = "media-downloader"
    Env     = var.environment
  }
}

resource "aws_lambda_function" "Fn" {
  function_name = "${local.name_prefix}-Fn"
  memory_size   = 256

  environment {
    variables = {
      LOG_LEVEL = var.log_level
      NOTE      = <<-EOT
        reads the stag queue
      EOT
    }
  }
}
'''


def test_blocks_attributes_and_lines() -> None:
    hcl = parse_text(SOURCE, "terraform/main.tf")
    fn = hcl.of_kind("resource")[0]
    assert (fn.address, fn.file, fn.line) == ("aws_lambda_function.Fn", "terraform/main.tf", 9)
    assert fn.attrs["function_name"].value == "${local.name_prefix}-Fn"
    assert fn.attrs["memory_size"].value == 256
    attr, _ = fn.find("environment[0].variables")
    assert attr.value["LOG_LEVEL"] == Expr("var.log_level")
    assert attr.line_of("LOG_LEVEL") == 15
    assert ("", "-Fn", 10) in fn.attrs["function_name"].literals
    assert any("stag queue" in text for _, text, _ in attr.literals)


def test_expression_never_equals_string_literal() -> None:
    assert Expr("var.x") == Expr("var.x")
    assert Expr("var.x") != "var.x"
    assert "var.x" != Expr("var.x")  # noqa: SIM300 - the reflected comparison is what is tested


def test_single_interpolation_is_the_expression() -> None:
    hcl = parse_text('a = "${var.x}"\nb = var.x\n', "x.tfvars")
    assert hcl.attrs["a"].value == hcl.attrs["b"].value == Expr("var.x")


@pytest.mark.parametrize(("text", "message"), [
    ('resource "a" "b" {\n  x = \n}\n', "terraform/s3.tf:2: HCL parse error: unexpected end of line at column 7"),
    ("a = @\n", "terraform/s3.tf:1: HCL parse error: unexpected '@' at column 5"),
    ('a = "x\n', "terraform/s3.tf:1: HCL parse error: unexpected end of file"),
])
def test_parse_errors_are_one_line(text: str, message: str) -> None:
    with pytest.raises(EnvgateError) as raised:
        parse_text(text, "terraform/s3.tf")
    assert str(raised.value) == message
