"""Value checks shared by the plan and live gates: both hand in normalized `Resource`s of one environment.

A value in `Resource.unknown` is DEFERRED at the plan gate (known only after apply). At the live gate
nothing comes later, so a value the probe could not read FAILs: compliance that cannot be seen is not proven.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from policyuniverse.arn import ARN
from policyuniverse.policy import Policy

from envgate.findings import MISSING, Finding, Outcome, Raw, same
from envgate.registry import CheckContext, check
from envgate.resource import Resource, leaves
from envgate.static import USAGE_PLAN_LIMITS, foreign_words, is_ops_topic, isolation_expected, name_stem

UNREADABLE = Raw("(unknown)")
POLICY_ATTRIBUTE = "policy"


def _of(resources: Sequence[Resource], types: Sequence[str]) -> list[Resource]:
    wanted = set(types)
    return [r for r in resources if "*" in wanted or r.type in wanted]


def _unknown(ctx: CheckContext, res: Resource, path: str, expected: Any) -> Finding:
    if ctx.gate == "live":
        return ctx.finding(res.address, path, UNREADABLE, expected, Outcome.FAIL, file=res.file, line=res.line)
    return ctx.finding(res.address, path, MISSING, expected, Outcome.DEFERRED, file=res.file, line=res.line)


def _holds(ctx: CheckContext, res: Resource, path: str, expected: Any,
           ok: Callable[[Any], bool] | None = None) -> Finding:
    """One attribute against the contract: `ok(actual)` decides, default equality with `expected`."""
    if res.is_unknown(path):
        return _unknown(ctx, res, path, expected)
    actual = res.get(path)
    passed = ok(actual) if ok else same(actual, expected)
    return ctx.verdict(passed, res.address, path, actual, expected, file=res.file, line=res.line,
                       sensitive=res.is_sensitive(path))


def _starts_with(ctx: CheckContext, res: Resource, path: str, stem: str) -> Finding:
    return _holds(ctx, res, path, Raw(f'a name starting with "{stem}"'),
                  ok=lambda v: isinstance(v, str) and v.startswith(stem))


@check("EG001", "plan", "live")
def names_carry_prefix(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    name_attributes: dict[str, str] = ctx.param("name_attributes")
    for res in _of(resources, list(name_attributes)):
        yield _starts_with(ctx, res, name_attributes[res.type], name_stem(ctx, res.type, ctx.spec.prefix))


@check("EG002", "plan", "live")
def required_tags(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    for res in _of(resources, ctx.rule.resource_types):
        for key, expected in ctx.spec.tags.items():
            yield _holds(ctx, res, f"tags_all.{key}", expected)


@check("EG003", "plan", "live")
def log_retention(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    for res in _of(resources, ctx.rule.resource_types):
        yield _holds(ctx, res, "retention_in_days", ctx.spec.log_retention_days)


@check("EG004", "plan", "live")
def api_limits(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    plans = _of(resources, ctx.rule.resource_types)
    apis = _of(resources, ["aws_api_gateway_rest_api"])
    if apis and not plans:
        yield ctx.verdict(False, "aws_api_gateway_usage_plan", "count", 0, Raw("at least 1 for the REST API"),
                          file=apis[0].file, line=apis[0].line)
    for res in plans:
        for path, field in USAGE_PLAN_LIMITS.items():
            yield _holds(ctx, res, path, ctx.spec.value(field))


@check("EG005", "plan", "live")
def deletion_protection(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    for res in _of(resources, ctx.rule.resource_types):
        yield _holds(ctx, res, "deletion_protection_enabled", ctx.spec.deletion_protection)


@check("EG006", "plan", "live")
def alarms_presence(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    alarms = _of(resources, ["aws_cloudwatch_metric_alarm"])
    topics = [r for r in _of(resources, ["aws_sns_topic"]) if is_ops_topic(ctx, r.get("name"), ctx.spec.prefix)]
    wanted = ctx.spec.alarms
    for kind, found in (("aws_cloudwatch_metric_alarm", alarms), ("aws_sns_topic", topics)):
        if wanted:
            what = "alarms" if kind.endswith("alarm") else f"operations topic (*{ctx.param('ops_topic_suffix')})"
            yield ctx.verdict(bool(found), kind, "count", len(found), Raw(f"at least 1 ({what} enabled)"))
        for res in found:
            yield ctx.verdict(wanted, res.address, "exists", True, wanted, file=res.file, line=res.line)
    if not wanted and not alarms and not topics:
        yield ctx.verdict(True, "aws_cloudwatch_metric_alarm", "count", 0, Raw("0 (alarms disabled)"))


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string leaf, descending into JSON documents (policies, redrive policies, event patterns)
    so a finding names the exact field: `policy.Statement[0].Condition.ArnEquals.aws:SourceArn`."""
    for where, leaf in leaves(value, path):
        if not isinstance(leaf, str):
            continue
        if leaf.startswith(("{", "[")):
            try:
                document = json.loads(leaf)
            except json.JSONDecodeError:
                document = None
            if isinstance(document, (dict, list)):
                yield from _strings(document, where)
                continue
        yield where, leaf


@check("EG007", "plan", "live")
def no_foreign_values(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    forbidden = ctx.contract.forbidden_words(ctx.env)
    ignored = set(ctx.param("ignore_attributes", []))
    for res in resources:
        hits = checked = 0
        for path, value in _strings(res.values):
            if path.rsplit(".", 1)[-1].split("[")[0] in ignored:
                continue
            checked += 1
            words = foreign_words(value, forbidden)
            if words:
                hits += 1
                yield ctx.verdict(False, res.address, path, value, isolation_expected(words, forbidden),
                                  file=res.file, line=res.line, sensitive=res.is_sensitive(path))
        if not checked and res.unknown:  # no known text at all: nothing is proven free yet
            yield _unknown(ctx, res, "values", isolation_expected([], forbidden))
        elif not hits:
            yield ctx.verdict(True, res.address, "values", Raw("free of other environments' names"),
                              isolation_expected([], forbidden), file=res.file, line=res.line)


# --- EG008 IAM scope -----------------------------------------------------------------------------------------

def _scope_starts(ctx: CheckContext) -> list[str]:
    """Resource-name beginnings only this environment's resources have (`prod-`, `production/media-downloader/`)."""
    return [t.format(prefix=ctx.spec.prefix, secrets_path=ctx.contract.secrets_path(ctx.env))
            for t in ctx.param("scope_starts")]


def _in_scope(arn: str, starts: list[str], own_arns: set[str]) -> bool:
    """Whether every ARN matching the pattern `arn` belongs to this environment."""
    if arn in own_arns or any(arn.startswith((own + "/", own + ":")) for own in own_arns):
        return True
    parsed = ARN(arn)
    if parsed.error or not parsed.name:
        return False
    name = parsed.name
    # The resource name follows the service's type marker: "table/x", "function:x", "log-group:/aws/...".
    candidates = [name] + [name.split(sep, 1)[1] for sep in "/:" if sep in name]
    for candidate in candidates:
        literal = candidate.split("*", 1)[0].split("?", 1)[0]
        if any(literal.startswith(start) for start in starts):
            return True
    return False


def _policy_document(res: Resource) -> dict[str, Any] | None:
    value = res.get(POLICY_ATTRIBUTE)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None
    return value if isinstance(value, dict) else None


@check("EG008", "plan", "live")
def iam_scope(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    starts = _scope_starts(ctx)
    own_arns = {a for r in resources if isinstance(a := r.get("arn"), str)}
    unscoped_ok = {a.lower() for a in ctx.param("unscoped_actions")}
    expected = Raw(f"an ARN of {ctx.env} ({', '.join(s + '*' for s in starts)})")
    for res in _of(resources, ctx.rule.resource_types):
        if res.is_unknown(POLICY_ATTRIBUTE):
            yield _unknown(ctx, res, POLICY_ATTRIBUTE, expected)
            continue
        document = _policy_document(res)
        if document is None:
            yield ctx.verdict(False, res.address, POLICY_ATTRIBUTE, res.get(POLICY_ATTRIBUTE),
                              Raw("an IAM policy document (JSON)"), file=res.file, line=res.line)
            continue
        for index, statement in enumerate(Policy(document).statements):
            if statement.effect != "Allow":
                continue
            where = f"{POLICY_ATTRIBUTE}.Statement[{index}]"
            if "NotResource" in statement.statement:
                yield ctx.verdict(False, res.address, f"{where}.NotResource", statement.statement["NotResource"],
                                  Raw("Resource (an Allow with NotResource reaches every other environment)"),
                                  file=res.file, line=res.line)
                continue
            arns = sorted(a for a in statement.resources if a)
            bad = []
            for arn in arns:
                if arn == "*":
                    ok = {a.lower() for a in statement.actions_expanded} <= unscoped_ok
                else:
                    ok = _in_scope(arn, starts, own_arns)
                if not ok:
                    bad.append(arn)
                    yield ctx.verdict(False, res.address, f"{where}.Resource", arn, expected,
                                      file=res.file, line=res.line)
            for arn in sorted(statement.condition_arns):
                if not _in_scope(arn, starts, own_arns):
                    bad.append(arn)
                    yield ctx.verdict(False, res.address, f"{where}.Condition", arn, expected,
                                      file=res.file, line=res.line)
            if not bad:
                yield ctx.verdict(True, res.address, f"{where}.Resource", arns, expected,
                                  file=res.file, line=res.line)


@check("EG011", "plan", "live")
def log_level(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    for res in _of(resources, ctx.rule.resource_types):
        yield _holds(ctx, res, "environment[0].variables.LOG_LEVEL", ctx.spec.log_level)


@check("EG012", "plan", "live")
def secrets_path(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    for res in _of(resources, ctx.rule.resource_types):
        yield _starts_with(ctx, res, "name", ctx.contract.secrets_path(ctx.env))
