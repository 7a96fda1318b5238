"""Live gate input: boto3 probes of a deployed environment -> normalized `Resource`s.

Every value is spelled as Terraform spells it (`retention_in_days`, `throttle_settings[0].burst_limit`,
`environment[0].variables`, `policy` as a JSON string, `tags_all`), so the engine's plan/live checks run on
the probe unchanged. Addresses and file:line come from the environment's OpenTofu state (read from the
state bucket) and the HCL source; a resource the state does not know is shown as `type["name"]`. Every
environment's state is read, so each resource of its own in AWS says which environment's state manages it
(`managed_by`, "" for none: an orphan) and the list call that found it (`found_by`). ARNs are built in the
partition of the credentials (STS), which must be of the contract's account for the environment when it names one.

A resource belongs to the environment when its name starts with the environment's stem (`stag-`,
`/aws/lambda/stag-`, `staging/media-downloader/`) or it is tagged Environment/Workspace = the environment,
so a resource that lost its prefix or its tags is still found and reported.

Every client is made from one boto3 session watched by `guard.watch`: the calls are counted, and a
read-only environment (contract `read_only`) refuses anything but Describe/Get/List/Head before it is sent.
Only Describe/Get/List calls are ever made here; secret values and API key values are never read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from envgate.contract import Contract, load_contract
from envgate.errors import EnvgateError
from envgate.guard import CallLog, watch
from envgate.paths import repo_root
from envgate.resource import MANAGED_BY, Resource, base_address
from envgate.stack import Target


# What identifies a resource of each type in the state and in the probe (several keys: any match).
IDENTITY: dict[str, tuple[str, ...]] = {
    "aws_cloudwatch_log_group": ("name",),
    "aws_lambda_function": ("function_name",),
    "aws_lambda_event_source_mapping": ("uuid",),
    "aws_iam_role": ("name",),
    "aws_iam_role_policy": ("id",),
    "aws_sqs_queue": ("name",),
    "aws_sqs_queue_policy": ("queue_url",),
    "aws_sns_topic": ("arn",),
    "aws_sns_topic_policy": ("arn",),
    "aws_s3_bucket": ("bucket",),
    "aws_s3_bucket_policy": ("bucket",),
    "aws_dynamodb_table": ("name",),
    "aws_dsql_cluster": ("identifier",),
    "aws_api_gateway_rest_api": ("id",),
    "aws_api_gateway_stage": ("id",),
    "aws_api_gateway_usage_plan": ("id",),
    "aws_api_gateway_api_key": ("id",),
    "aws_cloudwatch_event_bus": ("name",),
    "aws_cloudwatch_event_rule": ("arn",),
    "aws_cloudwatch_event_target": ("id",),
    "aws_cloudwatch_metric_alarm": ("alarm_name",),
    "aws_secretsmanager_secret": ("arn",),
}
# The attribute shown in `type["name"]` for a resource the state does not know.
DISPLAY = {"aws_sns_topic": "name", "aws_sns_topic_policy": "arn", "aws_cloudwatch_event_rule": "name",
           "aws_secretsmanager_secret": "name", "aws_api_gateway_rest_api": "name", "aws_api_gateway_stage": "stage_name",
           "aws_api_gateway_usage_plan": "name", "aws_api_gateway_api_key": "name",
           "aws_cloudwatch_event_target": "target_id", "aws_lambda_event_source_mapping": "uuid"}
# Resources of their own in AWS (not a part of another, like a queue's policy), and the call that lists them:
# one that no environment's state knows is an orphan.
STANDALONE = {
    "aws_cloudwatch_log_group": "logs:DescribeLogGroups", "aws_lambda_function": "lambda:ListFunctions",
    "aws_lambda_event_source_mapping": "lambda:ListEventSourceMappings", "aws_iam_role": "iam:ListRoles",
    "aws_sqs_queue": "sqs:ListQueues", "aws_sns_topic": "sns:ListTopics", "aws_s3_bucket": "s3:ListBuckets",
    "aws_dynamodb_table": "dynamodb:ListTables", "aws_dsql_cluster": "dsql:ListClusters",
    "aws_api_gateway_rest_api": "apigateway:GetRestApis", "aws_api_gateway_usage_plan": "apigateway:GetUsagePlans",
    "aws_api_gateway_api_key": "apigateway:GetApiKeys", "aws_cloudwatch_event_bus": "events:ListEventBuses",
    "aws_cloudwatch_event_rule": "events:ListRules", "aws_cloudwatch_metric_alarm": "cloudwatch:DescribeAlarms",
    "aws_secretsmanager_secret": "secretsmanager:ListSecrets",
}
DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError")


@dataclass
class ProbeResult:
    env: str
    resources: list[Resource]
    calls: CallLog
    state_key: str | None = None     # the state object read for addresses, when found
    outputs: dict[str, Any] = field(default_factory=dict)  # the state's outputs (names the stack exports)

    def of_type(self, type_: str) -> list[Resource]:
        return [r for r in self.resources if r.type == type_]

    def arns(self) -> set[str]:
        return {a for r in self.resources if isinstance(a := r.values.get("arn"), str) and a}


@dataclass
class _Raw:
    """A probed resource before addresses are assigned."""

    type: str
    values: dict[str, Any]
    unknown: set[str] = field(default_factory=set)
    sensitive: set[str] = field(default_factory=set)
    reasons: dict[str, str] = field(default_factory=dict)   # unknown path -> the call that could not read it


class Prober:
    """Probe one environment on one target through one watched session."""

    def __init__(self, target: Target, env: str, contract: Contract | None = None, *, read_only: bool | None = None,
                 log: CallLog | None = None, root: Path | None = None) -> None:
        self.target = target
        self.env = env
        self.contract = contract or load_contract()
        self.spec = self.contract.env(env)
        self.prefix = self.spec.prefix
        self.read_only = self.spec.read_only if read_only is None else read_only
        self.session = target.session()
        self.state_keys = {e: self.contract.state_object(e, root or repo_root()) for e in self.contract.environments}
        self.state_key = self.state_keys[env]
        self.identity = {k: v for k, v in self.contract.tags_of(env).items() if "{" in self.contract.tags[k]}
        # Every environment's state may be read (orphans are what none of them knows); nothing else in the bucket.
        self.log = watch(self.session, log or CallLog(), self.read_only, label=f"{env} (live probe)",
                         state_objects=frozenset((target.state_bucket, k) for k in self.state_keys.values()))
        self._clients: dict[str, Any] = {}
        self._tags: dict[str, dict[str, str]] | None = None
        self._caller: tuple[str, str] | None = None
        self.unread: dict[str, str] = {}  # state key -> why it could not be read

    def whoami(self) -> tuple[str, str]:
        """(partition, account) of the credentials, from STS: the probe builds ARNs in them, and refuses an
        account the contract does not name for this environment."""
        if self._caller is None:
            try:
                arn = self.client("sts").get_caller_identity()["Arn"]
            except (ClientError, BotoCoreError) as exc:
                raise EnvgateError(f"{self.env}: live probe cannot read the caller identity "
                                   f"(sts:GetCallerIdentity): {_why(exc)}") from None
            _, partition, _, _, account, _ = arn.split(":", 5)
            expected = self.spec.account_id
            if expected and account != expected:
                raise EnvgateError(f"{self.env}: the credentials are for account {account}, the contract says "
                                   f"{self.env} lives in {expected}: nothing probed")
            self._caller = partition, account
        return self._caller

    @property
    def partition(self) -> str:
        return self.whoami()[0]

    # --- plumbing -----------------------------------------------------------------------------------------

    def client(self, service: str):
        if service not in self._clients:
            self._clients[service] = self.target.client(service, self.session)
        return self._clients[service]

    def _pages(self, service: str, op: str, key: str, **kwargs) -> Iterator[Any]:
        client = self.client(service)
        try:
            if client.can_paginate(op):
                for page in client.get_paginator(op).paginate(**kwargs):
                    yield from page.get(key) or []
            else:  # no botocore paginator (e.g. events:ListEventBuses): follow NextToken by hand
                page = getattr(client, op)(**kwargs)
                yield from page.get(key) or []
                while page.get("NextToken"):
                    page = getattr(client, op)(**kwargs, NextToken=page["NextToken"])
                    yield from page.get(key) or []
        except (ClientError, BotoCoreError) as exc:
            raise EnvgateError(f"{self.env}: live probe cannot list {service}:{_op_name(op)}: {_why(exc)}") from None

    def _get(self, raw: _Raw, paths: Iterable[str], call: Callable[[], Any], missing: tuple[str, ...] = ()) -> Any:
        """A detail call; when access is denied the attributes it feeds become unknown (FAIL at the live gate)."""
        try:
            return call()
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in missing:
                return None
            if code in DENIED:
                raw.unknown.update(paths)
                raw.reasons.update({p: f"{exc.operation_name} refused: {_why(exc)}" for p in paths})
                return None
            raise EnvgateError(f"{self.env}: live probe failed on {raw.type}: {_why(exc)}") from None
        except BotoCoreError as exc:  # the endpoint went away (or never answers) between two calls
            raise EnvgateError(f"{self.env}: live probe failed on {raw.type}: {_why(exc)}") from None

    def stems(self) -> tuple[str, ...]:
        return self.contract.name_stems(self.env)

    def owns(self, name: Any, tags: Mapping[str, str] | None) -> bool:
        """This environment's: it carries every templated contract tag with this environment's value (so another
        stack's `Environment = staging` is not ours), or its name has one of the environment's stems."""
        tags = tags or {}
        if self.identity and all(tags.get(k) == v for k, v in self.identity.items()):
            return True
        return isinstance(name, str) and name.startswith(self.stems())

    def tag_index(self) -> dict[str, dict[str, str]]:
        """ARN -> tags of every resource the Resource Groups Tagging API knows (one paginated scan)."""
        if self._tags is None:
            self._tags = {}
            try:
                for item in self._pages("resourcegroupstaggingapi", "get_resources", "ResourceTagMappingList"):
                    self._tags[_bare(item["ResourceARN"])] = _tagdict(item.get("Tags"))
            except EnvgateError:
                self._tags = {}  # not permitted / not served: every type falls back to its own tag call
        return self._tags

    def tags(self, raw: _Raw, arn: str, direct: Callable[[], Any]) -> dict[str, str]:
        """Tags from the tagging API, else from the service's own call (also for untagged resources)."""
        index = self.tag_index()
        if _bare(arn) in index:
            return index[_bare(arn)]
        got = self._get(raw, ["tags_all"], direct, missing=("NoSuchTagSet", "NoSuchTagSetError", "ResourceNotFoundException"))
        return _tagdict(got) if got is not None else {}

    # --- probes per service --------------------------------------------------------------------------------

    def log_groups(self) -> Iterator[_Raw]:
        for group in self._pages("logs", "describe_log_groups", "logGroups"):
            name = group["logGroupName"]
            arn = _bare(group.get("logGroupArn") or group.get("arn", ""))
            raw = _Raw("aws_cloudwatch_log_group", {"name": name, "arn": arn,
                                                    "retention_in_days": group.get("retentionInDays", 0),
                                                    "kms_key_id": group.get("kmsKeyId", ""),
                                                    "log_group_class": group.get("logGroupClass", "STANDARD")})
            if not name.startswith(self.stems()) and not self._maybe_tagged(arn):
                continue
            raw.values["tags_all"] = self.tags(raw, arn, lambda a=arn: self.client("logs").list_tags_for_resource(
                resourceArn=a).get("tags"))
            if self.owns(name, raw.values["tags_all"]):
                yield raw

    def lambdas(self) -> Iterator[_Raw]:
        for fn in self._pages("lambda", "list_functions", "Functions"):
            name = fn["FunctionName"]
            arn = fn["FunctionArn"]
            if not name.startswith(self.stems()) and not self._maybe_tagged(arn):
                continue
            raw = _Raw("aws_lambda_function", {})
            full = self._get(raw, ["environment", "tags_all", "reserved_concurrent_executions", "image_uri"],
                             lambda n=name: self.client("lambda").get_function(FunctionName=n)) or {}
            conf = full.get("Configuration", fn)
            variables = (conf.get("Environment") or {}).get("Variables")
            code = full.get("Code") or {}
            raw.values.update({
                "function_name": name, "arn": arn, "role": conf.get("Role"), "runtime": conf.get("Runtime"),
                "handler": conf.get("Handler"), "memory_size": conf.get("MemorySize"), "timeout": conf.get("Timeout"),
                "description": conf.get("Description", ""),
                "environment": [{"variables": variables}] if variables is not None else [],
                "tags_all": dict(full.get("Tags") or {}),
                # What runs: the package's hash, the layer versions, the image by digest (the tag may have moved).
                "code_sha256": conf.get("CodeSha256"), "layers": [layer["Arn"] for layer in conf.get("Layers") or []],
                "package_type": conf.get("PackageType", "Zip"),
                "image_uri": code.get("ResolvedImageUri") or code.get("ImageUri") if full else None,
                # -1 is how the provider spells "no reservation"; GetFunction omits Concurrency then.
                "reserved_concurrent_executions": (full.get("Concurrency") or {}).get("ReservedConcurrentExecutions", -1)
                if full else None,
            })
            if self.owns(name, raw.values["tags_all"]):
                yield raw
                yield from self._event_source_mappings(arn)

    def _event_source_mappings(self, function_arn: str) -> Iterator[_Raw]:
        for mapping in self._pages("lambda", "list_event_source_mappings", "EventSourceMappings",
                                   FunctionName=function_arn):
            yield _Raw("aws_lambda_event_source_mapping", {
                "uuid": mapping.get("UUID"), "event_source_arn": mapping.get("EventSourceArn"),
                "function_name": mapping.get("FunctionArn", function_arn), "function_arn": mapping.get("FunctionArn"),
                "batch_size": mapping.get("BatchSize")})

    def iam_roles(self) -> Iterator[_Raw]:
        iam = self.client("iam")
        for role in self._pages("iam", "list_roles", "Roles"):
            name = role["RoleName"]
            if role.get("Path", "/").startswith("/aws-service-role/"):
                continue
            raw = _Raw("aws_iam_role", {"name": name, "arn": role["Arn"]})
            if not name.startswith(self.stems()) and not self.identity:
                continue  # owned by name only: another name is not ours, whatever its tags
            # list_roles omits tags on AWS: get_role reads them (and the trust policy) for every candidate.
            full = self._get(raw, ["tags_all", "assume_role_policy"], lambda n=name: iam.get_role(RoleName=n)) or {}
            detail = full.get("Role", role)
            raw.values.update({"assume_role_policy": _policy_text(detail.get("AssumeRolePolicyDocument")),
                               "tags_all": _tagdict(detail.get("Tags"))})
            if not self.owns(name, raw.values["tags_all"]):
                continue
            yield raw
            for policy_name in self._pages("iam", "list_role_policies", "PolicyNames", RoleName=name):
                policy = _Raw("aws_iam_role_policy", {"name": policy_name, "role": name, "id": f"{name}:{policy_name}"})
                got = self._get(policy, ["policy"], lambda n=name, p=policy_name: iam.get_role_policy(
                    RoleName=n, PolicyName=p)) or {}
                policy.values["policy"] = _policy_text(got.get("PolicyDocument"))
                yield policy

    def queues(self) -> Iterator[_Raw]:
        sqs = self.client("sqs")
        for url in self._pages("sqs", "list_queues", "QueueUrls"):
            name = url.rstrip("/").rsplit("/", 1)[-1]
            if not name.startswith(self.stems()) and not self._maybe_tagged_named("sqs", f":{name}"):
                continue
            raw = _Raw("aws_sqs_queue", {"name": name, "url": url, "id": url})
            attrs = (self._get(raw, ["arn", "policy", "redrive_policy", "visibility_timeout_seconds"],
                               lambda u=url: sqs.get_queue_attributes(QueueUrl=u, AttributeNames=["All"]),
                               missing=("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"))
                     or {}).get("Attributes", {})
            arn = attrs.get("QueueArn", "")
            raw.values.update({
                "arn": arn, "visibility_timeout_seconds": _int(attrs.get("VisibilityTimeout")),
                "message_retention_seconds": _int(attrs.get("MessageRetentionPeriod")),
                "redrive_policy": attrs.get("RedrivePolicy", ""),
                "policy": attrs.get("Policy"),  # inline, as aws_sqs_queue.policy; also yielded on its own below
                "sqs_managed_sse_enabled": attrs.get("SqsManagedSseEnabled") == "true",
                "kms_master_key_id": attrs.get("KmsMasterKeyId", ""),
            })
            raw.values["tags_all"] = self.tags(raw, arn, lambda u=url: sqs.list_queue_tags(QueueUrl=u).get("Tags"))
            if not self.owns(name, raw.values["tags_all"]):
                continue
            yield raw
            if "policy" in raw.unknown:  # unread is not absent: EG008 and EG013 must FAIL it
                yield _Raw("aws_sqs_queue_policy", {"queue_url": url, "id": url, "policy": None}, {"policy"},
                           reasons={"policy": raw.reasons["policy"]})
            elif attrs.get("Policy"):
                yield _Raw("aws_sqs_queue_policy", {"queue_url": url, "id": url, "policy": attrs["Policy"]})

    def topics(self) -> Iterator[_Raw]:
        sns = self.client("sns")
        for topic in self._pages("sns", "list_topics", "Topics"):
            arn = topic["TopicArn"]
            name = arn.rsplit(":", 1)[-1]
            if not name.startswith(self.stems()) and not self._maybe_tagged(arn):
                continue
            raw = _Raw("aws_sns_topic", {"name": name, "arn": arn, "id": arn})
            attrs = (self._get(raw, ["kms_master_key_id", "policy"],
                               lambda a=arn: sns.get_topic_attributes(TopicArn=a)) or {}).get("Attributes", {})
            raw.values["kms_master_key_id"] = attrs.get("KmsMasterKeyId", "")
            raw.values["policy"] = attrs.get("Policy")  # as aws_sns_topic.policy (AWS's default one included)
            raw.values["tags_all"] = self.tags(raw, arn, lambda a=arn: sns.list_tags_for_resource(ResourceArn=a).get("Tags"))
            if not self.owns(name, raw.values["tags_all"]):
                continue
            yield raw
            policy = attrs.get("Policy")
            if "policy" in raw.unknown:
                yield _Raw("aws_sns_topic_policy", {"arn": arn, "policy": None}, {"policy"},
                           reasons={"policy": raw.reasons["policy"]})
            elif policy and '"__default_policy_ID"' not in policy:
                yield _Raw("aws_sns_topic_policy", {"arn": arn, "policy": policy})

    def buckets(self) -> Iterator[_Raw]:
        s3 = self.client("s3")
        for bucket in self._pages("s3", "list_buckets", "Buckets"):
            name = bucket["Name"]
            arn = f"arn:{self.partition}:s3:::{name}"
            if not name.startswith(self.stems()) and not self._maybe_tagged(arn):
                continue
            raw = _Raw("aws_s3_bucket", {"bucket": name, "arn": arn, "id": name})
            raw.values["tags_all"] = self.tags(raw, arn, lambda n=name: s3.get_bucket_tagging(Bucket=n).get("TagSet"))
            if not self.owns(name, raw.values["tags_all"]):
                continue
            yield raw
            holder = _Raw("aws_s3_bucket_policy", {"bucket": name, "id": name, "policy": None})
            policy = self._get(holder, ["policy"], lambda n=name: s3.get_bucket_policy(Bucket=n),
                               missing=("NoSuchBucketPolicy",))
            if "policy" in holder.unknown:  # unread is not absent
                yield holder
            elif policy and policy.get("Policy"):
                holder.values["policy"] = policy["Policy"]
                yield holder

    def tables(self) -> Iterator[_Raw]:
        ddb = self.client("dynamodb")
        for name in self._pages("dynamodb", "list_tables", "TableNames"):
            if not name.startswith(self.stems()) and not self._maybe_tagged_named("dynamodb", f":table/{name}"):
                continue
            raw = _Raw("aws_dynamodb_table", {"name": name, "id": name})
            table = (self._get(raw, ["deletion_protection_enabled", "arn"], lambda n=name: ddb.describe_table(TableName=n))
                     or {}).get("Table", {})
            arn = table.get("TableArn", "")
            backups = self._get(raw, ["point_in_time_recovery"], lambda n=name: ddb.describe_continuous_backups(TableName=n)) or {}
            pitr = ((backups.get("ContinuousBackupsDescription") or {}).get("PointInTimeRecoveryDescription") or {})
            raw.values.update({
                "arn": arn,
                "billing_mode": (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED"),
                "deletion_protection_enabled": bool(table.get("DeletionProtectionEnabled", False)),
                "hash_key": next((k["AttributeName"] for k in table.get("KeySchema", []) if k["KeyType"] == "HASH"), None),
                "point_in_time_recovery": [{"enabled": pitr.get("PointInTimeRecoveryStatus") == "ENABLED"}],
                "server_side_encryption": [{"enabled": (table.get("SSEDescription") or {}).get("Status") == "ENABLED"}],
            })
            raw.values["tags_all"] = self.tags(raw, arn, lambda a=arn: ddb.list_tags_of_resource(ResourceArn=a).get("Tags"))
            if self.owns(name, raw.values["tags_all"]):
                yield raw

    def dsql_clusters(self) -> Iterator[_Raw]:
        dsql = self.client("dsql")
        for cluster in self._pages("dsql", "list_clusters", "clusters"):
            ident, arn = cluster["identifier"], cluster["arn"]
            raw = _Raw("aws_dsql_cluster", {"identifier": ident, "arn": arn, "id": ident})
            full = self._get(raw, ["deletion_protection_enabled", "tags_all"], lambda i=ident: dsql.get_cluster(identifier=i)) or {}
            tags = full.get("tags")
            if tags is None:
                tags = self.tags(raw, arn, lambda a=arn: dsql.list_tags_for_resource(resourceArn=a).get("tags"))
            raw.values.update({"deletion_protection_enabled": bool(full.get("deletionProtectionEnabled", False)),
                               "tags_all": dict(tags)})
            # A DSQL cluster has no name: it is this environment's by its Name tag or its environment tags.
            if self.owns(tags.get("Name"), tags):
                yield raw

    def api_gateway(self) -> Iterator[_Raw]:
        region = self.target.region
        for api in self._pages("apigateway", "get_rest_apis", "items"):
            name, api_id = api["name"], api["id"]
            tags = dict(api.get("tags") or {})
            if not self.owns(name, tags):
                continue
            yield _Raw("aws_api_gateway_rest_api", {"name": name, "id": api_id, "tags_all": tags,
                                                    "arn": f"arn:{self.partition}:apigateway:{region}::/restapis/{api_id}"})
            for stage in self._pages("apigateway", "get_stages", "item", restApiId=api_id):
                yield _Raw("aws_api_gateway_stage", {
                    "stage_name": stage["stageName"], "rest_api_id": api_id, "id": f"ags-{api_id}-{stage['stageName']}",
                    "deployment_id": stage.get("deploymentId"), "tags_all": dict(stage.get("tags") or {}),
                    "arn": f"arn:{self.partition}:apigateway:{region}::/restapis/{api_id}/stages/{stage['stageName']}"})
        for plan in self._pages("apigateway", "get_usage_plans", "items"):
            tags = dict(plan.get("tags") or {})
            if not self.owns(plan["name"], tags):
                continue
            throttle, quota = plan.get("throttle"), plan.get("quota")
            yield _Raw("aws_api_gateway_usage_plan", {
                "name": plan["name"], "id": plan["id"], "tags_all": tags,
                "arn": f"arn:{self.partition}:apigateway:{region}::/usageplans/{plan['id']}",
                "api_stages": [{"api_id": s.get("apiId"), "stage": s.get("stage")} for s in plan.get("apiStages", [])],
                "throttle_settings": [{"burst_limit": throttle.get("burstLimit"), "rate_limit": throttle.get("rateLimit")}]
                if throttle else [],
                "quota_settings": [{"limit": quota.get("limit"), "period": quota.get("period"),
                                    "offset": quota.get("offset", 0)}] if quota else [],
            })
        for key in self._pages("apigateway", "get_api_keys", "items", includeValues=False):
            tags = dict(key.get("tags") or {})
            if self.owns(key.get("name"), tags):
                yield _Raw("aws_api_gateway_api_key", {"name": key.get("name"), "id": key["id"], "tags_all": tags,
                                                       "enabled": key.get("enabled"),
                                                       "arn": f"arn:{self.partition}:apigateway:{region}::/apikeys/{key['id']}"})

    def events(self) -> Iterator[_Raw]:
        events = self.client("events")
        for bus in self._pages("events", "list_event_buses", "EventBuses"):
            name, arn = bus["Name"], bus["Arn"]
            if name == "default" or (not name.startswith(self.stems()) and not self._maybe_tagged(arn)):
                continue
            raw = _Raw("aws_cloudwatch_event_bus", {"name": name, "arn": arn, "id": name})
            raw.values["tags_all"] = self.tags(raw, arn, lambda a=arn: events.list_tags_for_resource(ResourceARN=a).get("Tags"))
            if not self.owns(name, raw.values["tags_all"]):
                continue
            yield raw
            for rule in self._pages("events", "list_rules", "Rules", EventBusName=name):
                rule_raw = _Raw("aws_cloudwatch_event_rule", {
                    "name": rule["Name"], "arn": rule["Arn"], "event_bus_name": name,
                    "event_pattern": rule.get("EventPattern"), "state": rule.get("State"),
                    "description": rule.get("Description", "")})
                rule_raw.values["tags_all"] = _tagdict(self._get(
                    rule_raw, ["tags_all"], lambda a=rule["Arn"]: events.list_tags_for_resource(ResourceARN=a).get("Tags")))
                yield rule_raw
                for target in self._pages("events", "list_targets_by_rule", "Targets", Rule=rule["Name"], EventBusName=name):
                    yield _Raw("aws_cloudwatch_event_target", {
                        "target_id": target["Id"], "arn": target["Arn"], "rule": rule["Name"], "event_bus_name": name,
                        "id": f"{name}-{rule['Name']}-{target['Id']}"})

    def alarms(self) -> Iterator[_Raw]:
        cloudwatch = self.client("cloudwatch")
        for alarm in self._pages("cloudwatch", "describe_alarms", "MetricAlarms"):
            name, arn = alarm["AlarmName"], alarm["AlarmArn"]
            if not name.startswith(self.stems()) and not self._maybe_tagged(arn):
                continue
            raw = _Raw("aws_cloudwatch_metric_alarm", {
                "alarm_name": name, "arn": arn, "id": name, "alarm_description": alarm.get("AlarmDescription", ""),
                "alarm_actions": alarm.get("AlarmActions", []), "ok_actions": alarm.get("OKActions", []),
                "namespace": alarm.get("Namespace"), "metric_name": alarm.get("MetricName"),
                "dimensions": {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])},
                "actions_enabled": alarm.get("ActionsEnabled")})
            raw.values["tags_all"] = self.tags(raw, arn, lambda a=arn: cloudwatch.list_tags_for_resource(ResourceARN=a).get("Tags"))
            if self.owns(name, raw.values["tags_all"]):
                yield raw

    def secrets(self) -> Iterator[_Raw]:
        for secret in self._pages("secretsmanager", "list_secrets", "SecretList"):
            tags = _tagdict(secret.get("Tags"))
            if self.owns(secret["Name"], tags):
                yield _Raw("aws_secretsmanager_secret", {"name": secret["Name"], "arn": secret["ARN"], "id": secret["ARN"],
                                                         "description": secret.get("Description", ""), "tags_all": tags})

    PROBES = ("log_groups", "lambdas", "iam_roles", "queues", "topics", "buckets", "tables", "dsql_clusters",
              "api_gateway", "events", "alarms", "secrets")

    def _maybe_tagged(self, arn: str) -> bool:
        """Worth a closer look although unprefixed: the tagging API says it carries this environment's tags
        (without the tagging API every resource is looked at)."""
        index = self.tag_index()
        if not index:
            return True
        return self.owns(None, index.get(_bare(arn)))

    def _maybe_tagged_named(self, service: str, suffix: str) -> bool:
        """As _maybe_tagged, for a resource whose ARN is not known before a detail call (by ARN suffix)."""
        index = self.tag_index()
        if not index:
            return True
        return any(arn.startswith(f"arn:{self.partition}:{service}:") and arn.endswith(suffix) and self.owns(None, tags)
                   for arn, tags in index.items())

    def raw(self) -> list[_Raw]:
        return [item for probe in self.PROBES for item in getattr(self, probe)()]

    # --- state: addresses and exported names --------------------------------------------------------------

    def state(self, env: str | None = None) -> tuple[str | None, dict]:
        """(key, state) of `env`'s state object (this environment's by default); (None, {}) when there is none or
        it may not be read (`unread` then says why: which resources a state manages is unknown, not none)."""
        key = self.state_keys[env or self.env]
        s3 = self.client("s3")
        where = f"{self.env}: cannot read state s3://{self.target.state_bucket}/{key}"
        try:
            body = s3.get_object(Bucket=self.target.state_bucket, Key=key)["Body"].read()
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in ("NoSuchKey", "NoSuchBucket", "404"):
                return None, {}
            if code in DENIED:
                self.unread[key] = f"s3:GetObject of s3://{self.target.state_bucket}/{key} refused: {_why(exc)}"
                return None, {}
            raise EnvgateError(f"{where}: {_why(exc)}") from None
        except BotoCoreError as exc:
            raise EnvgateError(f"{where}: {_why(exc)}") from None
        where = f"{self.env}: s3://{self.target.state_bucket}/{key} is not a state file"
        try:
            state = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise EnvgateError(f"{where} (not JSON: {exc})") from None
        if not isinstance(state, dict) or not isinstance(state.get("version"), int):
            raise EnvgateError(f"{where} (JSON without a state `version`)")
        return key, state

    def managers(self) -> dict[tuple[str, str], str]:
        """(type, identity) -> the other environment whose state manages it."""
        known: dict[tuple[str, str], str] = {}
        for env in self.state_keys:
            if env != self.env:
                known.update({ident: env for ident in _state_addresses(self.state(env)[1])})
        return known


def probe(target: Target, env: str, contract: Contract | None = None, *, root: Path | None = None,
          read_only: bool | None = None, log: CallLog | None = None) -> ProbeResult:
    """Probe `env` on `target`: its resources as Terraform would spell them, and the API calls it took."""
    prober = Prober(target, env, contract, read_only=read_only, log=log, root=root)
    prober.whoami()  # first: wrong or expired credentials are one line before anything is read
    key, state = prober.state()  # next: a wrong region is then one line before any list call
    regions = {arn.split(":")[3] for res in state.get("resources") or [] for inst in res.get("instances") or []
               if isinstance(arn := (inst.get("attributes") or {}).get("arn"), str) and arn.count(":") >= 5} - {""}
    if regions and target.region not in regions:  # else: a partial probe (global IAM only) that looks clean
        raise EnvgateError(f"{env}: its state {key} holds resources in {', '.join(sorted(regions))}, but the probe "
                           f"ran in {target.region} (wrong --region?)")
    items = prober.raw()
    addresses = _state_addresses(state)
    others = prober.managers()
    locations = _locations(root, prober.contract.layout.stack)
    resources: list[Resource] = []
    seen: dict[str, int] = {}
    for item in items:
        address = _address_of(item, addresses)
        seen[address] = seen.get(address, 0) + 1
        if seen[address] > 1:
            address = f"{address}#{seen[address]}"
        file, line = locations.get(base_address(address), (None, None))
        managed_by = None
        if item.type in STANDALONE:
            if _identity_in(item, addresses):
                managed_by = env
            elif hit := next((others[i] for i in _identities(item) if i in others), None):
                managed_by = hit
            elif prober.unread:  # a state that could not be read may be the one managing it
                item.unknown.add(MANAGED_BY)
                item.reasons[MANAGED_BY] = "; ".join(prober.unread.values())
            else:
                managed_by = ""
        resources.append(Resource(type=item.type, address=address, env=env, values=item.values,
                                  unknown=frozenset(item.unknown), sensitive=frozenset(item.sensitive),
                                  reasons=item.reasons, file=file, line=line, managed_by=managed_by,
                                  found_by=STANDALONE.get(item.type)))
    outputs = {k: v.get("value") for k, v in (state.get("outputs") or {}).items()}
    return ProbeResult(env=env, resources=resources, calls=prober.log, state_key=key, outputs=outputs)


def _state_addresses(state: dict) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for res in state.get("resources") or []:
        if res.get("mode") != "managed":
            continue
        base = ".".join(p for p in (res.get("module"), f"{res['type']}.{res['name']}") if p)
        for inst in res.get("instances") or []:
            index = inst.get("index_key")
            address = base if index is None else f"{base}[{json.dumps(index)}]"
            attrs = inst.get("attributes") or {}
            for key in IDENTITY.get(res["type"], ()):
                if attrs.get(key) not in (None, ""):
                    found[res["type"], str(attrs[key])] = address
    return found


def _identities(item: _Raw) -> list[tuple[str, str]]:
    return [(item.type, str(value)) for key in IDENTITY.get(item.type, ())
            if (value := item.values.get(key)) not in (None, "")]


def _identity_in(item: _Raw, addresses: Mapping[tuple[str, str], str]) -> tuple[str, str] | None:
    return next((ident for ident in _identities(item) if ident in addresses), None)


def _address_of(item: _Raw, addresses: Mapping[tuple[str, str], str]) -> str:
    if ident := _identity_in(item, addresses):
        return addresses[ident]
    shown = item.values.get(DISPLAY.get(item.type, IDENTITY.get(item.type, ("name",))[0]))
    return f'{item.type}["{shown}"]'


def _locations(root: Path | None, stack: str) -> dict[str, tuple[str, int]]:
    if root is None:
        return {}
    from envgate.sources.hcl import locations

    return locations(root.resolve(), stack)


def _bare(arn: str) -> str:
    return arn[:-2] if arn.endswith(":*") else arn


def _tagdict(tags: Any) -> dict[str, str]:
    if not tags:
        return {}
    if isinstance(tags, Mapping):
        return {str(k): str(v) for k, v in tags.items()}
    return {t.get("Key", t.get("key")): t.get("Value", t.get("value")) for t in tags}


def _policy_text(document: Any) -> str | None:
    """Policy documents as Terraform keeps them: a JSON string (boto3 hands IAM documents back decoded)."""
    if document is None or isinstance(document, str):
        return document
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _why(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        text = f"{err.get('Code', 'error')}: {err.get('Message', '')}".strip(": ")
    else:
        text = str(exc)
    text = " ".join(text.split())  # one line: a proxy or an emulator may answer with a whole HTML page
    return text if len(text) <= 300 else text[:297] + "..."


def _op_name(op: str) -> str:
    return "".join(part.capitalize() for part in op.split("_"))
