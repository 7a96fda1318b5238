"""The live probe reads every page, the credentials' partition and account, and every role's tags (botocore
Stubber: no endpoint is called)."""

from __future__ import annotations

import json

import pytest
from botocore.stub import Stubber

from envgate import live
from envgate.contract import load_contract
from envgate.errors import EnvgateError
from envgate.stack import Target

BUS = "arn:{p}:events:{r}:123456789012:event-bus/stag-Bus{n}"


def test_list_calls_without_a_paginator_follow_next_token() -> None:
    prober = live.Prober(Target(endpoint="http://127.0.0.1:9"), "staging")
    client = prober.client("events")
    assert not client.can_paginate("list_event_buses")
    with Stubber(client) as stub:
        for n, token in ((1, "page-2"), (2, "page-3"), (3, None)):
            response = {"EventBuses": [{"Name": f"stag-Bus{n}", "Arn": BUS.format(p="aws", r="us-east-1", n=n)}]}
            stub.add_response("list_event_buses", {**response, **({"NextToken": token} if token else {})},
                              {"NextToken": f"page-{n}"} if n > 1 else {})
        names = [b["Name"] for b in prober._pages("events", "list_event_buses", "EventBuses")]
        stub.assert_no_pending_responses()
    assert names == ["stag-Bus1", "stag-Bus2", "stag-Bus3"]


def _caller(prober: live.Prober, arn: str) -> Stubber:
    stub = Stubber(prober.client("sts"))
    stub.add_response("get_caller_identity", {"Arn": arn, "Account": arn.split(":")[4], "UserId": "AIDA"})
    return stub


@pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
def test_arns_take_the_partition_and_account_of_the_credentials(partition: str) -> None:
    prober = live.Prober(Target(endpoint="http://127.0.0.1:9"), "staging")
    with _caller(prober, f"arn:{partition}:sts::210987654321:assumed-role/envgate-probe/ci") as stub:
        assert prober.whoami() == (partition, "210987654321")
        assert prober.partition == partition  # asked once
        stub.assert_no_pending_responses()


def test_an_account_the_contract_does_not_name_is_refused(tmp_path) -> None:
    contract = load_contract()
    contract = contract.model_copy(update={"environments": {**contract.environments, "production": contract.env(
        "production").model_copy(update={"account_id": "111111111111"})}})
    prober = live.Prober(Target(endpoint="http://127.0.0.1:9"), "production", contract)
    with _caller(prober, "arn:aws:sts::222222222222:assumed-role/envgate-probe/ci"), \
            pytest.raises(EnvgateError) as raised:
        prober.whoami()
    assert str(raised.value) == ("production: the credentials are for account 222222222222, the contract says "
                                 "production lives in 111111111111: nothing probed")


def test_roles_are_found_by_their_tags_when_the_list_call_omits_them() -> None:
    """AWS's ListRoles returns no tags: a staging role named without the prefix is found by GetRole's tags."""
    prober = live.Prober(Target(endpoint="http://127.0.0.1:9"), "staging")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                      "Principal": {"Service": "lambda.amazonaws.com"}}]}
    tags = [{"Key": k, "Value": v} for k, v in prober.contract.tags_of("staging").items()]

    def role(name: str, with_tags: list) -> dict:
        return {"RoleName": name, "RoleId": "AROA" + "X" * 17, "Arn": f"arn:aws:iam::123456789012:role/{name}",
                "Path": "/", "CreateDate": "2026-01-01T00:00:00Z", "AssumeRolePolicyDocument": json.dumps(trust),
                **({"Tags": with_tags} if with_tags else {})}

    listed = [role("media-worker", []), role("other-team", [])]
    with Stubber(prober.client("iam")) as stub:
        stub.add_response("list_roles", {"Roles": listed, "IsTruncated": False})
        stub.add_response("get_role", {"Role": role("media-worker", tags)}, {"RoleName": "media-worker"})
        stub.add_response("list_role_policies", {"PolicyNames": [], "IsTruncated": False}, {"RoleName": "media-worker"})
        stub.add_response("get_role", {"Role": role("other-team", [{"Key": "Environment", "Value": "staging"}])},
                          {"RoleName": "other-team"})
        found = list(prober.iam_roles())
        stub.assert_no_pending_responses()
    assert [r.values["name"] for r in found] == ["media-worker"]  # other-team: only one of the contract's tags
    assert found[0].values["tags_all"]["Environment"] == "staging"
