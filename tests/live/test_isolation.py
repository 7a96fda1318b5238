"""Isolation between deployed environments, checked against the other environments' *actual* resources.

The engine's EG007/EG008 checks judge one environment against the contract (names and ARN stems); these
tests add the cross-check: probe every other selected environment (read-only) and require that no policy
of this one reaches their real ARNs (IAM wildcard matching) and that no value (Lambda variable, event
target, queue policy, alarm action, ...) names one of their ARNs, URLs or resource names.
On moto the other environments are deployed first (once per session, shared with their own tests).
"""

from __future__ import annotations

import pytest

from envgate import live

pytestmark = pytest.mark.live


@pytest.fixture
def others(env, pytestconfig, probed, contract):
    """Every other environment of the contract: the selected ones deployed (moto), the rest as found."""
    selected = pytestconfig.envgate_envs
    found = {name: probed(name, deploy=name in selected) for name in contract.environments if name != env}
    found = {name: result for name, result in found.items() if result.resources}
    if not found:
        pytest.skip(f"no other environment is deployed on this target: nothing {env} must be isolated from")
    return found


def test_no_policy_reaches_another_environments_arns(env, probed, others):
    this = probed(env)
    assert this.of_type("aws_iam_role_policy"), f"{env}: no IAM role policy probed"
    assert all(o.arns() for o in others.values()), "another environment has no ARNs to check against"
    fails = live.policy_reach(this, others)
    assert not fails, "\n".join(str(f) for f in fails)


def test_no_value_points_across_environments(env, probed, others):
    this = probed(env)
    checked = [r for r in this.resources if r.type in ("aws_lambda_function", "aws_cloudwatch_event_target",
                                                         "aws_sqs_queue_policy", "aws_lambda_event_source_mapping")]
    assert {r.type for r in checked} >= {"aws_lambda_function", "aws_cloudwatch_event_target", "aws_sqs_queue_policy"}
    fails = live.cross_references(this, others)
    assert not fails, "\n".join(str(f) for f in fails)


def test_event_targets_and_queue_policies_stay_inside(env, probed, contract):
    """The direct form of the contract for the two wiring points that cross services."""
    this = probed(env)
    own = this.arns()
    for target in this.of_type("aws_cloudwatch_event_target"):
        assert target.values["arn"] in own, f"{env} {target.address}: target {target.values['arn']} is not {env}'s"
    rules = {r.values["arn"] for r in this.of_type("aws_cloudwatch_event_rule")}
    for policy in this.of_type("aws_sqs_queue_policy"):
        assert any(rule in policy.values["policy"] for rule in rules), \
            f"{env} {policy.address}: the queue policy is not limited to {env}'s EventBridge rule"


def test_each_environment_has_its_own_state_object(env, others, probed):
    keys = {probed(env).state_key} | {o.state_key for o in others.values()}
    assert None not in keys and len(keys) == 1 + len(others), keys
