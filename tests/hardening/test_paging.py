"""The live probe reads every page and the region's partition (botocore Stubber: no endpoint is called)."""

from __future__ import annotations

from botocore.stub import Stubber

from envgate import live
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


def test_arns_take_the_partition_of_the_region() -> None:
    assert live.Prober(Target(endpoint="http://127.0.0.1:9"), "staging").partition == "aws"
    assert live.Prober(Target(endpoint="http://127.0.0.1:9", region="cn-north-1"), "staging").partition == "aws-cn"
    assert live.Prober(Target(endpoint="http://127.0.0.1:9", region="us-gov-west-1"), "staging").partition == "aws-us-gov"
