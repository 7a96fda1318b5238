"""`tofu destroy` on a scratch deployment of each environment, in a private moto (never the shared one,
whose deployments the other live tests probe; never real AWS).

Measured on moto with hashicorp/aws 5.100 and tofu 1.12:
* an environment without deletion protection is destroyed completely and its state is empty;
* production: `lifecycle.prevent_destroy = var.dsql_deletion_protection` on the DSQL cluster and the DynamoDB
  table makes `tofu destroy` fail at plan time, before anything is deleted;
* behind that, AWS-side deletion protection refuses the deletes themselves: DeleteCluster (DSQL, 409
  ConflictException "Deletion protection is enabled for this cluster") and DeleteTable (DynamoDB,
  ValidationException "can't be deleted while DeletionProtectionEnabled is set to True"). Without the
  prevent_destroy guard tofu would delete every other resource first and only fail on these two
  (measured before the stack had the guard).
"""

from __future__ import annotations

import pytest
import tftest
from botocore.exceptions import ClientError

from envgate import deploy, live, stack

pytestmark = [pytest.mark.live, pytest.mark.slow, pytest.mark.local_aws]

DATA_STORES = {"aws_dsql_cluster.MediaDownloader", "aws_dynamodb_table.Idempotency"}


@pytest.fixture
def scratch(aws_target, tmp_path, shared):
    with deploy.private_moto(shared, tmp_path / "moto.log", aws_target.region) as target:
        yield target


def _state_list(run: stack.StackRun) -> set[str]:
    """Managed resources in the state (data sources come and go with every refresh)."""
    return {line.strip() for line in run.tf.execute_command("state", "list").out.splitlines()
            if line.strip() and not line.strip().startswith("data.")}


def test_destroy(env, scratch, contract, toolchain, repo_root, tmp_path):
    spec = contract.env(env)
    unprotected = [name for name, e in contract.environments.items() if not e.deletion_protection]
    if not spec.deletion_protection and env != unprotected[0]:
        pytest.skip(f"destroy of an unprotected environment is proven on {unprotected[0]}; {env} takes the same path")
    run = stack.prepare(repo_root, env, toolchain, scratch, tmp_path / "work")
    run.apply()
    resources_before = len(live.probe(scratch, env, contract).resources)
    assert resources_before > 20
    if not spec.deletion_protection:
        run.destroy()
        assert _state_list(run) == set()
        left = [r.address for r in live.probe(scratch, env, contract).resources]
        assert not left, f"{env}: still there after destroy: {left}"
        return
    before = _state_list(run)
    with pytest.raises(tftest.TerraformTestError) as refused:
        run.tf.destroy(tf_var_file=list(run.var_files))
    message = _text(refused.value)
    assert "Resource instance cannot be destroyed" in message and "prevent_destroy" in message, message[-2000:]
    assert all(address in message for address in DATA_STORES), message[-2000:]
    assert _state_list(run) == before, "a refused destroy must not delete anything"
    assert len(live.probe(scratch, env, contract).resources) == resources_before

    # Behind the guard: AWS-side deletion protection refuses the deletes themselves.
    with pytest.raises(ClientError, match="can't be deleted while DeletionProtectionEnabled is set to True"):
        scratch.client("dynamodb").delete_table(TableName=f"{spec.prefix}-Idempotency")
    cluster = next(r for r in live.probe(scratch, env, contract).of_type("aws_dsql_cluster"))
    with pytest.raises(ClientError, match="Deletion protection is enabled for this cluster"):
        scratch.client("dsql").delete_cluster(identifier=cluster.values["identifier"])
    after = live.probe(scratch, env, contract)
    kept = {r.type: r.values["deletion_protection_enabled"] for r in after.resources
            if r.type in ("aws_dsql_cluster", "aws_dynamodb_table")}
    assert kept == {"aws_dsql_cluster": True, "aws_dynamodb_table": True}


def _text(exc: tftest.TerraformTestError) -> str:
    return " ".join(" ".join(str(a) for a in exc.args).split())
