"""Isolation between deployed environments, checked against the other environments' *actual* resources.

EG007/EG008 judge one environment against the contract (names and ARN stems); EG013, a rule of the
catalogue that test_live_gate runs with the rest, adds the cross-check against every other environment's
probed resources (IAM wildcard matching of policies; values naming their ARNs, URLs or names). These tests
make sure it had environments to compare with, and check the two wiring points that cross services directly.
On moto the other environments are deployed first (once per session, shared with their own tests).
"""

from __future__ import annotations

import pytest


pytestmark = pytest.mark.live


def test_isolation_is_checked_against_deployed_environments(env, others, live_findings):
    """EG013 had something to compare with: the other environments this session gates are deployed and probed."""
    found = others(env)
    if not found:
        pytest.skip(f"no other environment is deployed on this target: nothing {env} must be isolated from")
    checked = [f for f in live_findings(env) if f.rule_id == "EG013"]
    assert checked and all(f.address != "environments" for f in checked), "EG013 saw no other environment"


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
    found = others(env)
    keys = {probed(env).state_key} | {probed(name, deploy=False).state_key for name in found}
    assert None not in keys and len(keys) == 1 + len(found), keys
