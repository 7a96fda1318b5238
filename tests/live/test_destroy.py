"""`tofu destroy` on a scratch deployment of each environment, in a private moto (never the shared one,
whose deployments the other live tests probe; never real AWS).

What happens on moto with hashicorp/aws 5.100 (measured): for an environment without deletion protection
everything is destroyed and the state is empty. For production, DeleteCluster (DSQL, 409 ConflictException
"Deletion protection is enabled") and DeleteTable (DynamoDB, ValidationException "can't be deleted while
DeletionProtectionEnabled is set to True") are refused, so `tofu destroy` fails and both data stores stay,
protected, in the state. Everything else of the environment *is* destroyed before those two errors:
deletion protection guards the data, not the whole environment.
"""

from __future__ import annotations

import pytest

from envgate import live, localaws, stack
from envgate.errors import EnvgateError

pytestmark = [pytest.mark.live, pytest.mark.slow]

DATA_STORES = {"aws_dsql_cluster.MediaDownloader", "aws_dynamodb_table.Idempotency"}


@pytest.fixture
def scratch(aws_target, tmp_path):
    if not aws_target.endpoint:
        pytest.skip("--real-aws: envgate never destroys anything on real AWS")
    with localaws.MotoServer(log=tmp_path / "moto.log") as server:
        target = stack.Target(endpoint=server.endpoint, region=aws_target.region)
        localaws.ensure_state_backend(target.client)
        yield target


def _state_list(run: stack.StackRun) -> set[str]:
    return {line.strip() for line in run.tf.execute_command("state", "list").out.splitlines() if line.strip()}


def test_destroy(env, scratch, contract, toolchain, repo_root, tmp_path):
    spec = contract.env(env)
    run = stack.prepare(repo_root, env, toolchain, scratch, tmp_path / "work")
    run.apply()
    assert live.probe(scratch, env, contract).of_type("aws_dynamodb_table")
    if not spec.deletion_protection:
        run.destroy()
        assert _state_list(run) == set()
        left = [r.address for r in live.probe(scratch, env, contract).resources]
        assert not left, f"{env}: still there after destroy: {left}"
        return
    with pytest.raises(EnvgateError) as refused:
        run.destroy()
    message = str(refused.value)
    assert "Deletion protection is enabled for this cluster" in message
    assert "can't be deleted while DeletionProtectionEnabled is set to True" in message
    assert _state_list(run) == DATA_STORES, "only the protected data stores survive the destroy"
    after = live.probe(scratch, env, contract)
    kept = {r.type: r.values["deletion_protection_enabled"] for r in after.resources
            if r.type in ("aws_dsql_cluster", "aws_dynamodb_table")}
    assert kept == {"aws_dsql_cluster": True, "aws_dynamodb_table": True}
