"""envgate.plan on hand-made plan documents: normalization, unknown/sensitive paths, one-line input errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envgate import engine, plan
from envgate.contract import load_contract
from envgate.errors import EnvgateError
from envgate.findings import Outcome
from envgate.resource import base_address


def _doc(**over) -> dict:
    lam = {
        "address": "aws_lambda_function.Fn", "mode": "managed", "type": "aws_lambda_function", "name": "Fn",
        "values": {"function_name": "stag-Fn", "environment": [{"variables": {"LOG_LEVEL": "DEBUG",
                                                                            "TOKEN": "prod-secret-value"}}],
                   "tags_all": {"Environment": "staging"}},
        "sensitive_values": {"environment": [{"variables": {"TOKEN": True}}], "tags_all": {}},
    }
    child = {
        "address": "module.queues.aws_sqs_queue.Q[0]", "mode": "managed", "type": "aws_sqs_queue", "name": "Q",
        "index": 0, "values": {"name": "stag-Q"}, "sensitive_values": {},
    }
    doc = {
        "format_version": "1.2",
        "variables": {"environment": {"value": "staging"}},
        "planned_values": {"root_module": {"resources": [lam], "child_modules": [
            {"address": "module.queues", "resources": [child]}]}},
        "resource_changes": [
            {"address": "aws_lambda_function.Fn", "change": {"actions": ["create"],
                                                              "after_unknown": {"arn": True, "environment": [{}]},
                                                              "after_sensitive": {"environment": [{"variables": {"TOKEN": True}}]}}},
            {"address": "module.queues.aws_sqs_queue.Q[0]", "change": {"actions": ["create"],
                                                                        "after_unknown": {"arn": True, "policy": True}}},
        ],
    }
    doc.update(over)
    return doc


def test_normalizes_root_and_child_modules_with_unknown_and_sensitive_paths():
    locations = {"aws_lambda_function.Fn": ("terraform/lambda.tf", 1),
                 "module.queues.aws_sqs_queue.Q": ("terraform/modules/queues/main.tf", 3)}
    found = {r.address: r for r in plan.resources(_doc(), "staging", locations=locations)}
    fn, queue = found["aws_lambda_function.Fn"], found["module.queues.aws_sqs_queue.Q[0]"]
    assert fn.get("environment[0].variables.LOG_LEVEL") == "DEBUG"
    assert fn.is_unknown("arn") and not fn.is_unknown("function_name")
    assert fn.is_sensitive("environment[0].variables.TOKEN") and not fn.is_sensitive("function_name")
    assert (fn.file, fn.line) == ("terraform/lambda.tf", 1)
    assert (queue.file, queue.line) == ("terraform/modules/queues/main.tf", 3)
    assert queue.is_unknown("policy.Statement")


def test_a_sensitive_value_never_reaches_a_message():
    resources = plan.resources(_doc(), "staging")
    findings = engine.evaluate(resources, "staging", "plan", only=["EG007"])
    leak = [f for f in findings if f.outcome is Outcome.FAIL and f.attribute.endswith("TOKEN")]
    assert leak, "the foreign word in the sensitive variable is caught"
    assert "prod-secret-value" not in leak[0].message and "(sensitive)" in leak[0].message
    assert "prod-secret-value" not in repr(resources[0])


def test_unknown_values_are_deferred_not_passed():
    doc = _doc()
    doc["resource_changes"][0]["change"]["after_unknown"]["environment"] = [{"variables": True}]
    resources = plan.resources(doc, "staging")
    findings = engine.evaluate(resources, "staging", "plan", only=["EG011"])
    assert [f.outcome for f in findings] == [Outcome.DEFERRED]


def test_base_address_and_paths():
    assert base_address('module.m["a"].aws_x.y[0]') == "module.m.aws_x.y"
    assert sorted(plan.paths({"a": True, "b": [{"c": True}, False], "d": {}})) == ["a", "b[0].c"]


def test_a_plan_of_another_environment_is_refused(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_doc()))
    with pytest.raises(EnvgateError, match=r"plan\.json: this plan is for environment 'staging' "
                                           r"\(var\.environment\), not 'production'"):
        plan.check_environment(plan.load_plan(path), "production", "environment", str(path))


@pytest.mark.parametrize("text, message", [
    ("", r"empty file"),
    ("this is not json", r":1:1: not JSON: Expecting value"),
    (json.dumps(_doc())[:-40], r"truncated plan JSON"),
    ("[1, 2]", r"expected a JSON object \(the plan document\), got a JSON array"),
    (json.dumps({"planned_values": {}}), r"no format_version"),
    (json.dumps(_doc(format_version="2.0")), r"unsupported format_version '2.0' \(envgate reads plan JSON format 1.x\)"),
    (json.dumps(_doc(format_version=1.2)), r"unsupported format_version 1.2"),
    (json.dumps({"format_version": "1.0", "values": {}}), r"`tofu show -json` of a state, not of a plan"),
    (json.dumps({"format_version": "1.2"}), r"missing planned_values"),
    (json.dumps({"version": 4, "lineage": "x", "resources": []}), r"raw state file, not a plan"),
    (json.dumps(_doc(errored=True)), r"the plan errored"),
    (json.dumps(_doc(planned_values={"root_module": {"resources": [{"type": "x"}]}})), r"resources\[0\] has no address"),
    ('{"@level":"info","@message":"OpenTofu 1.12.6"}\n{"@level":"info"}\n', r"`tofu plan -json` log stream"),
])
def test_bad_input_is_one_line_naming_the_file(tmp_path, text, message):
    path = tmp_path / "bad-plan.json"
    path.write_text(text)
    with pytest.raises(EnvgateError, match=message) as caught:
        plan.load_plan(path)
    assert str(caught.value).startswith(str(path)) and "\n" not in str(caught.value)


def test_binary_plan_file_and_missing_file(tmp_path):
    binary = tmp_path / "plan.out"
    binary.write_bytes(b"PK\x03\x04\xff\xfe\x00binary")
    with pytest.raises(EnvgateError, match=r"binary plan file .*tofu show -json PLANFILE"):
        plan.load_plan(binary)
    with pytest.raises(EnvgateError, match=r"nope\.json: cannot read plan file"):
        plan.load_plan(tmp_path / "nope.json")


def test_locations_cover_every_block_of_the_stack(repo_root: Path):
    locations = engine.source_locations(repo_root)
    assert locations["aws_cloudwatch_log_group.RegisterUser"][0] == "terraform/logs.tf"
    assert all(line > 0 for _, line in locations.values())


@pytest.mark.parametrize(("expressions", "still_unknown"), [({"name": {}}, False), ({"name": {}, "policy": {}}, True)])
def test_a_policy_the_configuration_leaves_to_aws_is_not_unknown(expressions, still_unknown) -> None:
    doc = _doc()
    doc["configuration"] = {"root_module": {"module_calls": {"queues": {"module": {"resources": [
        {"address": "aws_sqs_queue.Q", "expressions": expressions}]}}}}}
    [queue] = [r for r in plan.resources(doc, "staging") if r.type == "aws_sqs_queue"]
    assert queue.is_unknown("policy")
    after = plan.defaulted(queue, plan.configured(doc))
    assert after.is_unknown("policy") is still_unknown and after.is_unknown("arn")


def _second_plan(unknown_reads_pending: bool, reserialized: bool) -> dict:
    before = {"policy": '{"Statement": []}', "redrive_policy": '{"maxReceiveCount": 3}', "name": "stag-Q"}
    after = {"policy": None, "name": "stag-Q",
             "redrive_policy": '{"maxReceiveCount":3}' if reserialized else '{"maxReceiveCount": 4}'}
    return {
        "format_version": "1.2",
        "planned_values": {"root_module": {}},
        "configuration": {"root_module": {"resources": [
            {"address": "aws_sqs_queue.Q", "expressions": {
                "policy": {"references": ["data.aws_iam_policy_document.q.json", "data.aws_iam_policy_document.q"]
                           if unknown_reads_pending else ["var.policy"]},
                "redrive_policy": {"references": ["aws_sqs_queue.DLQ.arn", "aws_sqs_queue.DLQ"]}}}]}},
        "resource_changes": [
            {"address": "data.aws_iam_policy_document.q", "mode": "data", "type": "aws_iam_policy_document",
             "action_reason": "read_because_dependency_pending", "change": {"actions": ["read"]}},
            {"address": "aws_sqs_queue.Q", "mode": "managed", "type": "aws_sqs_queue",
             "change": {"actions": ["update"], "before": before, "after": after, "after_unknown": {"policy": True}}},
        ],
    }


@pytest.mark.parametrize(("reads_pending", "reserialized", "equivalent"), [
    (True, True, True),     # the policy re-reads a data source, and the only other change is re-serialized JSON
    (False, True, False),   # unknown for another reason: a real change until apply says otherwise
    (True, False, False),   # the redrive policy really changes
])
def test_second_plan_judges_each_attribute(reads_pending, reserialized, equivalent) -> None:
    [change] = plan.pending_changes(_second_plan(reads_pending, reserialized))
    assert change["attributes"] == ["policy", "redrive_policy"]
    assert change["equivalent"] is equivalent
    assert ("redrive_policy" in change["why"]) is reserialized


def test_drift_is_what_the_configuration_sets_and_changed() -> None:
    doc = {
        "format_version": "1.2", "planned_values": {"root_module": {}},
        "configuration": {"root_module": {"resources": [
            {"address": "aws_iam_role.r", "expressions": {"name": {}, "tags": {}}},
            {"address": "aws_secretsmanager_secret_version.v", "expressions": {"secret_string": {}}}]}},
        "resource_drift": [
            {"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "change": {
                "actions": ["update"],
                "before": {"name": "stag-r", "tags": {"Team": "a"}, "inline_policy": [], "description": None},
                "after": {"name": "stag-r", "tags": {}, "inline_policy": [{"name": "p"}], "description": ""}}},
            {"address": "aws_secretsmanager_secret_version.v", "mode": "managed", "type": "x", "change": {
                "actions": ["update"], "before": {"secret_string": "old-secret"}, "after": {"secret_string": "new"},
                "before_sensitive": {"secret_string": True}, "after_sensitive": {"secret_string": True}}},
            {"address": "aws_sqs_queue.gone", "mode": "managed", "type": "aws_sqs_queue",
             "change": {"actions": ["delete"], "before": {"name": "stag-gone"}, "after": None}},
        ],
    }
    findings = engine.drift(doc, "staging", Path(__file__).resolve().parents[2], load_contract())
    messages = sorted(f.message for f in findings)
    assert messages == [
        "staging aws_iam_role.r (unknown location): tags.Team is (missing), contract says \"a\", as in the state "
        "(changed outside tofu)",
        "staging aws_secretsmanager_secret_version.v (unknown location): secret_string is (sensitive), contract says "
        "the state's value",
        "staging aws_sqs_queue.gone (unknown location): exists is false, contract says present, as in the state "
        "(deleted outside tofu)",
    ]
    assert not any("old-secret" in m or '"new"' in m for m in messages)
