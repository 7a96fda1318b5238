"""The only AWS operations the live tier may call on a read-only environment (production).

Every operation not listed is refused before its request is built, whatever its name: a read such as
`secretsmanager:GetSecretValue` or `s3:GetObject` of an arbitrary object is as forbidden as a write. Two
listed operations are narrowed by their parameters: `s3:GetObject` reads only the contract environments'
state objects (which resources a state manages: orphans), `apigateway:GetApiKeys` never asks for key values. tests/hardening checks the list against the
botocore service models (each entry exists and only reads) and against what a probe actually calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

READ_ONLY_OPERATIONS: Mapping[str, frozenset[str]] = {
    service: frozenset(ops) for service, ops in {
        "apigateway": ("GetApiKeys", "GetRestApis", "GetStages", "GetUsagePlans"),
        "cloudwatch": ("DescribeAlarms", "ListTagsForResource"),
        "dsql": ("GetCluster", "ListClusters", "ListTagsForResource"),
        "dynamodb": ("DescribeContinuousBackups", "DescribeTable", "ListTables", "ListTagsOfResource"),
        "events": ("ListEventBuses", "ListRules", "ListTagsForResource", "ListTargetsByRule"),
        "iam": ("GetRole", "GetRolePolicy", "ListRolePolicies", "ListRoles"),
        "lambda": ("GetFunction", "ListEventSourceMappings", "ListFunctions"),
        "logs": ("DescribeLogGroups", "ListTagsForResource"),
        "resourcegroupstaggingapi": ("GetResources",),
        "s3": ("GetBucketPolicy", "GetBucketTagging", "GetObject", "ListBuckets", "ListObjectsV2"),
        "secretsmanager": ("ListSecrets",),
        "sns": ("GetTopicAttributes", "ListTagsForResource", "ListTopics"),
        "sqs": ("GetQueueAttributes", "ListQueueTags", "ListQueues"),
        "sts": ("GetCallerIdentity",),
    }.items()
}


def refusal(service: str, operation: str, params: Mapping[str, Any],
            state_objects: frozenset[tuple[str, str]] = frozenset()) -> str | None:
    """Why `service:operation` with `params` may not be called on a read-only environment (None: allowed).

    state_objects: the (bucket, key) pairs the probe must read, the only objects s3:GetObject may fetch.
    """
    if operation not in READ_ONLY_OPERATIONS.get(service, ()):
        return "not on the read-only allow-list (envgate.allowlist)"
    if (service, operation) == ("s3", "GetObject") and (params.get("Bucket"), params.get("Key")) not in state_objects:
        return f"s3://{params.get('Bucket')}/{params.get('Key')} is not the environment's state object"
    if (service, operation) == ("s3", "ListObjectsV2") and not any(
            params.get("Bucket") == bucket for bucket, _ in state_objects):
        return f"bucket {params.get('Bucket')} is not the state bucket"
    if (service, operation) == ("apigateway", "GetApiKeys") and params.get("includeValues"):
        return "includeValues would return the API key values"
    return None
