"""The live gate per environment: deploy (moto) or just probe (--real-aws), then the engine's live checks.

At the live gate nothing is deferred: an attribute the probe could not read FAILs.
"""

from __future__ import annotations

import json

import pytest

from envgate import engine, live, plan as planmod
from envgate.errors import EnvgateError
from envgate.findings import Outcome
from envgate.allowlist import READ_ONLY_OPERATIONS
from envgate.guard import CallLog
from envgate.registry import load_rules

pytestmark = pytest.mark.live

LIVE_RULES = [r.id for r in load_rules().for_gate("live")]
# Probe budget: a whole environment takes ~55 read calls on moto; far more means a probe loops.
MAX_PROBE_CALLS = 250


def _fails_text(env, fails, deployment) -> str:
    lines = [f"{len(fails)} live-gate FAIL(s) for {env}:"] + [f"  {f}" for f in fails]
    if deployment:
        lines += ["deployed with:"] + [f"  $ {c}" for c in deployment.commands]
    return "\n".join(lines)


def test_live_gate_has_no_fail(env, probed, live_findings, deployed, record_property, envgate_record):
    result = probed(env)
    findings = live_findings(env)
    envgate_record(findings)
    record_property("api_calls", result.calls.total)
    record_property("resources", len(result.resources))
    fails = [f for f in findings if f.outcome is Outcome.FAIL]
    assert not fails, _fails_text(env, fails, deployed(env))
    assert not [f for f in findings if f.outcome is Outcome.DEFERRED], "the live gate never defers"
    assert any(f.outcome is Outcome.PASS for f in findings)


@pytest.mark.local_aws
def test_deployed_only_with_the_code_its_predecessor_runs(env, envs, deployed, promoted, contract, envgate_record):
    deployed(env)
    findings = promoted(env)
    if findings is None:
        pytest.skip(f"{env}: first of this run's promotion order ({', '.join(contract.promotion_order(envs))})")
    envgate_record(findings)
    assert findings and all(f.outcome is Outcome.PASS for f in findings), "\n".join(map(str, findings))


@pytest.mark.parametrize("rule_id", LIVE_RULES)
def test_rule(env, rule_id, live_findings, deployed, contract):
    findings = [f for f in live_findings(env) if f.rule_id == rule_id]
    if not engine.judges(rule_id, env, contract):
        assert not findings, f"{rule_id} judges no {env}, yet it said: {findings[0]}"
        return
    fails = [f for f in findings if f.outcome is not Outcome.PASS]
    assert not fails, _fails_text(env, fails, deployed(env))
    assert findings, f"{rule_id}: the live probe of {env} gave the rule nothing to check"


def test_every_named_resource_exists(env, probed):
    """Every name the stack exports (outputs.resource_names) is found by the probe (names themselves: EG001)."""
    result = probed(env)
    names = result.outputs.get("resource_names")
    if names is None:
        pytest.fail(f"{env}: no state with outputs.resource_names at {result.state_key or 'env:/' + env + '/...'}",
                    pytrace=False)
    seen = {str(v) for r in result.resources for k, v in r.values.items()
            if k in ("name", "function_name", "bucket", "alarm_name", "target_id", "stage_name") and v}
    seen |= {r.values["tags_all"].get("Name") for r in result.resources if r.type == "aws_dsql_cluster"}
    missing = {k: v for k, v in names.items() if v not in seen}
    assert not missing, f"{env}: exported by the state but not found live: {missing}"


def test_deletion_protection_matches_the_contract(env, probed, contract):
    wanted = contract.env(env).deletion_protection
    stores = probed(env).of_type("aws_dsql_cluster") + probed(env).of_type("aws_dynamodb_table")
    assert {r.type for r in stores} == {"aws_dsql_cluster", "aws_dynamodb_table"}
    wrong = {r.address: r.values["deletion_protection_enabled"] for r in stores
             if r.values["deletion_protection_enabled"] is not wanted}
    assert not wrong, f"{env}: deletion protection should be {wanted}: {wrong}"


def test_workspace_has_its_own_state_object(env, probed, aws_target, contract, repo_root):
    workspace = contract.env(env).workspace_name
    s3 = live.Prober(aws_target, env, contract, read_only=True).client("s3")
    try:
        keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=aws_target.state_bucket, Prefix="env:/") for o in page.get("Contents", [])]
    except Exception as exc:  # noqa: BLE001 - reported as the test's one line
        pytest.fail(f"{env}: cannot list the state bucket {aws_target.state_bucket}: {exc}", pytrace=False)
    own = contract.state_object(env, repo_root)
    assert own in keys, f"{env}: no state object {own} in {aws_target.state_bucket} (has: {keys})"
    result = probed(env)
    assert result.state_key == own
    assert result.outputs.get("environment") == env and result.outputs.get("workspace") == workspace
    others = [k for k in keys if k != own and k.startswith(f"env:/{workspace}/")]
    assert not others, f"{env}: more than one state object in its workspace: {others}"


def test_probe_makes_only_allow_listed_calls(env, probed, record_property):
    """The probe's calls, counted by its own session: reads from the allow-list only, none refused.
    (That a call outside the list is refused is proven on a Stubber and on moto in tests/hardening, never
    here: this test also runs against real production.)"""
    result = probed(env)
    record_property("api_calls", dict(result.calls.calls))
    assert result.calls.refused == [], result.calls.refused
    outside = [op for op in result.calls.calls
               if op.split(":", 1)[1] not in READ_ONLY_OPERATIONS.get(op.split(":", 1)[0], ())]
    assert not outside, f"{env}: the probe called operations outside envgate.allowlist: {outside}"
    assert 0 < result.calls.total <= MAX_PROBE_CALLS, f"{env}: {result.calls.total} API calls"


@pytest.mark.local_aws
def test_a_second_plan_after_apply_changes_nothing(env, deployed, aws_target, toolchain):
    deployment = deployed(env)
    run = deployment.attach(toolchain, aws_target)
    try:
        changes = planmod.pending_changes(run.plan_json())
    except EnvgateError as exc:
        pytest.fail(str(exc), pytrace=False)
    real = [c for c in changes if not c["equivalent"]]
    reproduce = "\n".join(f"  $ {c}" for c in run.commands)
    assert not real, (f"{env}: the second plan after apply wants changes:\n"
                      + "\n".join(f"  {c['address']} {c['actions']} {c['attributes']}" for c in real)
                      + f"\nreproduce:\n{reproduce}")
    if changes:
        # moto re-serializes SQS RedrivePolicy JSON (spaces after separators); the provider then sees a
        # diff on an identical document and re-reads the policy documents that depend on those queues.
        assert aws_target.endpoint, "only the local emulator may show re-serialized JSON"
        print(f"{env}: {len(changes)} JSON-equivalent re-serialization(s) on moto, no real change: "
              + json.dumps([c["address"] for c in changes]))


def test_probe_calls_are_counted_per_call(env, aws_target, contract, deployed):
    deployed(env)
    log = CallLog()
    live.probe(aws_target, env, contract, log=log)
    assert log.calls["logs:DescribeLogGroups"] >= 1 and log.calls["iam:GetRolePolicy"] >= 4
