"""Issue 2's proof: the offline toolchain plans, applies and destroys into moto in a named workspace."""

import json
import subprocess
from pathlib import Path

import pytest

from envgate import localaws, stack, toolchain as tc

SMOKE = Path(__file__).parent / "smoke"
# The smoke stack has no contract: its selection, spelled out.
SMOKE_SELECTION = stack.Selection("terraform", ("environments/smoke.tfvars",), "smoke", "smoke/terraform.tfstate")


def test_tofu_version_and_provider_schema_offline(toolchain, tmp_path):
    assert tc.tofu_version(toolchain.tofu) >= tc.TOFU_MIN
    work = tmp_path / "schema"
    work.mkdir()
    (work / "main.tf").write_text((SMOKE / "terraform" / "main.tf").read_text().replace('backend "s3" {}', ""))
    env = {**toolchain.env(), **localaws.sandbox_env("http://127.0.0.1:9")}
    run = lambda *a: subprocess.run([str(toolchain.tofu), *a], cwd=work, env=env, capture_output=True, text=True)
    init = run("init", "-input=false", "-no-color")
    assert init.returncode == 0, init.stdout + init.stderr
    schema = run("providers", "schema", "-json")
    assert schema.returncode == 0, schema.stderr
    resources = json.loads(schema.stdout)["provider_schemas"]["registry.opentofu.org/hashicorp/aws"]["resource_schemas"]
    assert "aws_dsql_cluster" in resources


@pytest.mark.selftest
def test_plan_apply_destroy_in_named_workspace(toolchain, aws_target, tmp_path):
    if not aws_target.endpoint:
        pytest.skip("the smoke deploys: local AWS only")
    localaws.ensure_state_backend(aws_target.client)
    run = stack.prepare(SMOKE, "smoke", toolchain, aws_target, tmp_path, sel=SMOKE_SELECTION)
    plan = run.plan_json()
    assert [rc["change"]["actions"] for rc in plan["resource_changes"]] == [["create"]]
    run.apply()
    sqs = aws_target.client("sqs")
    assert "smoke-envgate-smoke" in sqs.get_queue_url(QueueName="smoke-envgate-smoke")["QueueUrl"]
    assert run.plan_exitcode() == 0
    s3 = aws_target.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=localaws.STATE_BUCKET).get("Contents", [])]
    assert "env:/smoke/smoke/terraform.tfstate" in keys
    run.destroy()
    assert not sqs.list_queues(QueueNamePrefix="smoke-envgate-smoke").get("QueueUrls")

