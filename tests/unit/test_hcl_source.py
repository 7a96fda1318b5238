"""The evaluated-HCL adapter on tfparse's unresolved forms: each is unknown (DEFERRED), never a value.

The tfparse output here is synthetic on purpose: these are the shapes tfparse has been seen to return
(unexpanded for_each, dropped map entries, reference objects, UUID placeholders, `${...}`, None members).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from envgate.engine import evaluate
from envgate.findings import Outcome
from envgate.sources import hcl

ID_QUEUE = "11111111-2222-4333-8444-555555555555"
STACK = '''
module "queue" {
  source = "./q"
}

resource "aws_lambda_function" "fn" {
  for_each      = var.functions
  function_name = "prod-${each.key}"
  environment {
    variables = {
      LOG_LEVEL = "INFO"
      QUEUE_URL = module.queue.url
    }
  }
}

resource "aws_sqs_queue" "q" {
  name = "prod-q"
}

variable "functions" {
  type = map(any)
}
'''


@pytest.fixture
def layout(tmp_path: Path) -> hcl.Layout:
    (tmp_path / "terraform" / "q").mkdir(parents=True)
    (tmp_path / "terraform" / "main.tf").write_text(STACK)
    (tmp_path / "terraform" / "q" / "main.tf").write_text('output "url" {\n  value = "u"\n}\n')
    return hcl.Layout(root=tmp_path, stack="terraform", env="production", workspace="production", var_files=())


def _meta(path: str, line: int = 7) -> dict:
    return {"__tfmeta": {"filename": "main.tf", "line_start": line, "path": path, "type": "resource",
                         "label": path.split(".")[0]}}


def _normalized(layout: hcl.Layout, *blocks: tuple[str, dict]):
    raw = hcl.load_raw(layout.root, layout.stack)
    grouped: dict[str, list[dict]] = {}
    for kind, block in blocks:
        grouped.setdefault(kind, []).append(block)
    resources = hcl.normalize(grouped, layout, raw, {}, {})
    return {r.address: r for r in resources}


def test_unexpanded_for_each_is_unknown_not_a_violation(layout: hcl.Layout) -> None:
    block = {**_meta("aws_lambda_function.fn"), "for_each": {"a": {"x": None}}, "function_name": "prod-${each.key}",
             "environment": {"__tfmeta": {}, "variables": {"LOG_LEVEL": "INFO"}}}
    res = _normalized(layout, ("aws_lambda_function", block))["aws_lambda_function.fn"]
    assert res.is_unknown("function_name") and res.is_unknown("environment")
    findings = evaluate([res], "production", "static", only=["EG001", "EG011"])
    assert {f.outcome for f in findings} == {Outcome.DEFERRED}


def test_map_entry_the_evaluation_dropped_is_unknown(layout: hcl.Layout) -> None:
    block = {**_meta('aws_lambda_function.fn["a"]'), "function_name": "prod-a",
             "environment": {"__tfmeta": {}, "variables": {"LOG_LEVEL": "INFO"}}}
    res = _normalized(layout, ("aws_lambda_function", block))['aws_lambda_function.fn["a"]']
    assert res.is_unknown("environment[0].variables.QUEUE_URL")
    assert not res.is_unknown("environment[0].variables.LOG_LEVEL")
    assert res.where("environment[0].variables.LOG_LEVEL") == ("terraform/main.tf", 11)


@pytest.mark.parametrize(("value", "why"), [
    ({"__attribute__": "module.queue.url", "__name__": "url"}, "unresolved reference module.queue.url"),
    (None, "null after evaluation, or a reference the evaluation could not resolve"),  # e.g. from merge()
    ("prod-${var.missing}", "an expression the evaluation left unresolved"),
    ("(sensitive value)", "sensitive"),
    ("__unresolved__", "an expression the evaluation left unresolved"),
    (f"{ID_QUEUE}-suffix", "computed from aws_sqs_queue.q"),                        # a UUID inside a string
])
def test_unresolved_forms_are_unknown(layout: hcl.Layout, value, why) -> None:
    queue = {**_meta("aws_sqs_queue.q", 18), "id": ID_QUEUE, "name": "prod-q"}
    block = {**_meta('aws_lambda_function.fn["a"]'), "function_name": value}
    res = _normalized(layout, ("aws_sqs_queue", queue), ("aws_lambda_function", block))['aws_lambda_function.fn["a"]']
    assert res.is_unknown("function_name")
    [finding] = evaluate([res], "production", "static", only=["EG001"])
    assert finding.outcome is Outcome.DEFERRED
    assert finding.message.endswith(f"function_name is not known from the configuration ({why}), deferred to the plan gate")


def test_a_whole_uuid_is_a_reference_to_that_block(layout: hcl.Layout) -> None:
    queue = {**_meta("aws_sqs_queue.q", 18), "id": ID_QUEUE, "name": "prod-q"}
    block = {**_meta('aws_lambda_function.fn["a"]'), "function_name": "prod-a", "dead_letter_config":
             {"__tfmeta": {}, "target_arn": ID_QUEUE}}
    res = _normalized(layout, ("aws_sqs_queue", queue), ("aws_lambda_function", block))['aws_lambda_function.fn["a"]']
    assert res.get("dead_letter_config[0].target_arn") == "${aws_sqs_queue.q}"
    assert res.is_unknown("dead_letter_config[0].target_arn")
    assert hcl.reference_address(res.get("dead_letter_config[0].target_arn")) == "aws_sqs_queue.q"
