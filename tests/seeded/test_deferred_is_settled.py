"""Deferred is a debt the live gate pays: a wrong value the plan cannot know yet is deployed, and live fails it.

The staging queue policy is pointed at production's queue through replace() of the stack's own queue ARN:
the configuration cannot compute it (DEFERRED at static), a fresh plan does not know it (DEFERRED at plan),
and once applied into a private moto the live gate sees production's ARN (FAIL), which settles the debt.
"""

from __future__ import annotations

import pytest

from envgate import deploy, engine, live, stack
from envgate.contract import load_contract
from envgate.findings import Outcome

ADDRESS = "aws_sqs_queue.DownloadQueue"


@pytest.mark.selftest
@pytest.mark.slow
@pytest.mark.local_aws
def test_a_value_the_plan_deferred_is_failed_at_live(repo_root, toolchain, aws_target, shared, tmp_path):
    contract = load_contract()
    with deploy.private_moto(shared, tmp_path / "moto.log", aws_target.region) as target:
        run = stack.prepare(repo_root, "staging", toolchain, target, tmp_path / "work")
        sqs = run.workdir / "terraform" / "sqs.tf"
        text = sqs.read_text()
        assert text.count("resources = [local.download_queue_arn]") == 1
        sqs.write_text(text.replace("resources = [local.download_queue_arn]",
                                    'resources = [replace(local.download_queue_arn, "stag-", "prod-")]'))
        static = engine.evaluate_static(run.workdir, "staging", contract, only=["EG008"])
        planned = engine.plan_resources(run.plan_json(), "staging", run.workdir, contract, "seeded plan")
        at_plan = engine.evaluate(planned, "staging", "plan", contract, only=["EG008"])
        run.apply()
        probed = live.probe(target, "staging", contract, root=run.workdir)
        at_live = engine.evaluate(probed.resources, "staging", "live", contract, only=["EG008"])
    assert [f.outcome for f in static if f.address == ADDRESS] == [Outcome.DEFERRED]
    assert [f.outcome for f in at_plan if f.address == ADDRESS] == [Outcome.DEFERRED]
    fails = [f.message for f in at_live if f.address == ADDRESS and f.outcome is Outcome.FAIL]
    assert fails and all("prod-DownloadQueue" in m for m in fails), fails
    [settled] = [f for f in engine.settle(at_plan + at_live) if f.address == ADDRESS]
    assert settled.outcome is Outcome.PASS and str(settled.actual) == "FAIL at live", settled.message
