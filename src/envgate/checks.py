"""The one check per rule: every gate (static, plan, live) hands in normalized `Resource`s of one environment.

static: the configuration evaluated for the environment (envgate.sources.hcl), plan: the plan JSON, live: the
boto3 probes. A value in `Resource.unknown` is DEFERRED at static and plan (known at a later gate). At the
live gate nothing comes later, so a value the probe could not read FAILs: compliance that cannot be seen is
not proven. At static, a value that is another block of the same configuration is the reference
`${<address>}` (that environment's own resource by construction).
"""

from __future__ import annotations

import json
import re
from fnmatch import fnmatchcase
from pathlib import Path
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from envgate.findings import MISSING, Finding, Outcome, Raw, render, same
from envgate.registry import CheckContext, check
from envgate.resource import MANAGED_BY, Resource, base_address, leaves
from envgate.sources.hcl import reference_address

UNREADABLE = Raw("(unknown)")
POLICY_ATTRIBUTE = "policy"
TRUST_ATTRIBUTE = "assume_role_policy"
_WORD = re.compile(r"[a-z0-9]+")
USAGE_PLAN_LIMITS = {"throttle_settings[0].burst_limit": "api.throttle_burst_limit",
                     "throttle_settings[0].rate_limit": "api.throttle_rate_limit",
                     "quota_settings[0].limit": "api.quota_limit"}
# Static-only inputs (envgate.sources.hcl): never resources of the stack.
PSEUDO_TYPES = frozenset({"tfvars", "variable", "var_files", "backend_config"})


def _of(resources: Sequence[Resource], types: Sequence[str]) -> list[Resource]:
    wanted = set(types)
    return [r for r in resources if ("*" in wanted and r.type not in PSEUDO_TYPES) or r.type in wanted]


def _unknown(ctx: CheckContext, res: Resource, path: str, expected: Any) -> Finding:
    file, line = res.where(path)
    why = res.reason(path)
    if ctx.gate == "live":
        actual = Raw(f"(unreadable: {why})") if why else UNREADABLE
        return ctx.finding(res.address, path, actual, expected, Outcome.FAIL, file=file, line=line)
    return ctx.finding(res.address, path, Raw(why) if why else MISSING, expected, Outcome.DEFERRED,
                       file=file, line=line)


def _leaf(path: str) -> str:
    """The attribute or key an attribute path ends in: `environment[0].variables.QUEUE_URL` -> `QUEUE_URL`."""
    return path.rsplit(".", 1)[-1].split("[")[0]


def _verdict(ctx: CheckContext, ok: bool, res: Resource, path: str, actual: Any, expected: Any,
             sensitive: bool = False) -> Finding:
    file, line = res.where(path)
    return ctx.verdict(ok, res.address, path, actual, expected, file=file, line=line, sensitive=sensitive)


def ops_topic_name(ctx: CheckContext) -> str | None:
    topic = ctx.contract.alarm_topic
    return None if topic is None else ctx.contract.name_stem(ctx.env, "aws_sns_topic") + topic


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def foreign_words(text: str, forbidden: dict[str, str]) -> list[str]:
    """The forbidden words in `text`, as whole words ("stag" matches "stag-x", not "stage"); camelCase joins
    are words too ("prodBucket", "StagingQueue", "APIProd")."""
    words = set(_WORD.findall(text.lower())) | set(_WORD.findall(_CAMEL.sub(" ", text).lower()))
    return sorted(w for w in words if w in forbidden)


def isolation_expected(words: Iterable[str], forbidden: dict[str, str]) -> Raw:
    named = ", ".join(f'"{w}" is {forbidden[w]}' for w in words)
    return Raw(f"no reference to another environment ({named})" if named else "no reference to another environment")


def _holds(ctx: CheckContext, res: Resource, path: str, expected: Any,
           ok: Callable[[Any], bool] | None = None) -> Finding:
    """One attribute against the contract: `ok(actual)` decides, default equality with `expected`."""
    if res.is_unknown(path):
        return _unknown(ctx, res, path, expected)
    actual = res.get(path)
    passed = ok(actual) if ok else same(actual, expected)
    return _verdict(ctx, passed, res, path, actual, expected, sensitive=res.is_sensitive(path))


def _starts_with(ctx: CheckContext, res: Resource, path: str, *stems: str) -> Finding:
    return _holds(ctx, res, path, Raw("a name starting with " + " or ".join(f'"{s}"' for s in stems)),
                  ok=lambda v: isinstance(v, str) and v.startswith(stems))


@check("EG001", "static", "plan", "live")
def names_carry_prefix(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    naming = ctx.contract.naming
    name_attributes = {**ctx.param("name_attributes"), **naming.name_attributes}
    for res in _of(resources, [t for t in name_attributes if t not in naming.exempt]):
        yield _starts_with(ctx, res, name_attributes[res.type], *ctx.contract.type_stems(ctx.env, res.type))
        pattern = ctx.contract.name_regex(ctx.env, res.type)
        if pattern:
            yield _holds(ctx, res, name_attributes[res.type], Raw(f"a name matching {pattern}"),
                         ok=lambda v, p=pattern: isinstance(v, str) and re.fullmatch(p, v) is not None)


@check("EG002", "static", "plan", "live")
def required_tags(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    for res in _of(resources, ctx.rule.resource_types):
        for key, expected in ctx.contract.tags_of(ctx.env).items():
            yield _holds(ctx, res, f"tags_all.{key}", expected)


@check("EG003", "static", "plan", "live")
def log_retention(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    if ctx.spec.log_retention_days is None:  # the contract does not say: nothing to check
        return
    for res in _of(resources, ctx.rule.resource_types):
        yield _holds(ctx, res, "retention_in_days", ctx.spec.log_retention_days)


@check("EG004", "static", "plan", "live")
def api_limits(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    plans = _of(resources, ctx.rule.resource_types)
    apis = _of(resources, ["aws_api_gateway_rest_api"])
    if apis and not plans:
        yield ctx.verdict(False, "aws_api_gateway_usage_plan", "count", 0, Raw("at least 1 for the REST API"),
                          file=apis[0].file, line=apis[0].line)
    if ctx.spec.api is None:  # the contract sets no limits for this environment
        return
    for res in plans:
        for path, field in USAGE_PLAN_LIMITS.items():
            yield _holds(ctx, res, path, ctx.spec.value(field))
    # Limits bind only calls that reach the plan: it is attached to this environment's API, and methods need a key.
    own_apis = {a for r in apis if isinstance(a := r.get("id"), str)} | {"${" + r.address + "}" for r in apis}
    bound = Raw(f"bound to a stage of {ctx.env}'s REST API")
    for res in plans:
        if res.is_unknown("api_stages"):
            yield _unknown(ctx, res, "api_stages", bound)
            continue
        stages = res.get("api_stages")
        if not isinstance(stages, list) or not stages:
            yield _verdict(ctx, False, res, "api_stages", stages, bound)
            continue
        for index in range(len(stages)):
            path = f"api_stages[{index}].api_id"
            api = res.get(path)
            if res.is_unknown(path) and reference_address(api) is None:
                yield _unknown(ctx, res, path, bound)
            else:
                yield _verdict(ctx, api in own_apis, res, path, api, bound)
    for method in _of(resources, ["aws_api_gateway_method"]):
        if method.get("http_method") != "OPTIONS":  # CORS preflight carries no key by design
            yield _holds(ctx, method, "api_key_required", True)


@check("EG005", "static", "plan", "live")
def deletion_protection(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    if ctx.spec.deletion_protection is None:
        return
    for res in _of(resources, ctx.rule.resource_types):
        yield _holds(ctx, res, "deletion_protection_enabled", ctx.spec.deletion_protection)


@check("EG006", "static", "plan", "live")
def alarms_presence(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    if ctx.spec.alarms is None:
        return
    alarms = _of(resources, ["aws_cloudwatch_metric_alarm"])
    topic_name = ops_topic_name(ctx)
    topics = [r for r in _of(resources, ["aws_sns_topic"]) if topic_name and r.get("name") == topic_name]
    own_topics = {r.address for r in _of(resources, ["aws_sns_topic"])}
    own_topic_arns = {a for r in _of(resources, ["aws_sns_topic"]) if isinstance(a := r.get("arn"), str)}
    # An ARN spelled out (format("arn:aws:sns:%s:%s:%s", ...)) names the topic: before apply its ARN is unknown.
    own_topic_names = {n for r in _of(resources, ["aws_sns_topic"]) if isinstance(n := r.get("name"), str)}
    wanted = ctx.spec.alarms
    tied = [("aws_cloudwatch_metric_alarm", alarms)] + ([("aws_sns_topic", topics)] if topic_name else [])
    for kind, found in tied:
        if wanted:
            what = "alarms" if kind.endswith("alarm") else f"operations topic ({topic_name})"
            yield ctx.verdict(bool(found), kind, "count", len(found), Raw(f"at least 1 ({what} enabled)"))
        for res in found:
            yield _verdict(ctx, wanted, res, "exists", True, wanted)
    if not wanted and not alarms and not topics:
        yield ctx.verdict(True, "aws_cloudwatch_metric_alarm", "count", 0, Raw("0 (alarms disabled)"))
    if not wanted:
        return
    reach = Raw(f"at least one action, each an SNS topic of {ctx.env}")
    for res in alarms:
        if res.is_unknown("alarm_actions"):
            yield _unknown(ctx, res, "alarm_actions", reach)
            continue
        actions = res.get("alarm_actions")
        actions = actions if isinstance(actions, list) else []
        unknown = [i for i in range(len(actions)) if res.is_unknown(f"alarm_actions[{i}]")
                   and reference_address(actions[i]) is None]
        if unknown:
            yield _unknown(ctx, res, f"alarm_actions[{unknown[0]}]", reach)
            continue
        ok = bool(actions) and all(reference_address(a) in own_topics or a in own_topic_arns or (
            isinstance(a, str) and a.startswith("arn:") and a.split(":")[2:3] == ["sns"]
            and a.rsplit(":", 1)[-1] in own_topic_names) for a in actions)
        yield _verdict(ctx, ok, res, "alarm_actions", actions, reach)


def _strings(res: Resource) -> Iterator[tuple[str, str]]:
    """Every known string leaf, descending into JSON documents (policies, redrive policies, event patterns)
    so a finding names the exact field: `policy.Statement[0].Condition.ArnEquals.aws:SourceArn`."""
    def walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
        for where, leaf in leaves(value, path):
            if not isinstance(leaf, str) or res.is_unknown(where) or reference_address(leaf):
                continue
            if leaf.startswith(("{", "[")):
                try:
                    document = json.loads(leaf)
                except json.JSONDecodeError:
                    document = None
                if isinstance(document, (dict, list)):
                    yield from walk(document, where)
                    continue
            yield where, leaf
    return walk(res.values, "")


@check("EG007", "static", "plan", "live")
def no_foreign_values(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    forbidden = ctx.contract.forbidden_words(ctx.env)
    ignored = set(ctx.param("ignore_attributes", []))
    # Of the static-only inputs only the var values are the environment's; the rest name every environment.
    skipped = (PSEUDO_TYPES - {"tfvars"}) | set(ctx.param("ignore_types", []))
    for res in resources:
        if res.type in skipped:
            continue
        hits = checked = 0
        for path, value in _strings(res):
            if _leaf(path) in ignored:
                continue
            checked += 1
            words = foreign_words(value, forbidden)
            if words:
                hits += 1
                yield _verdict(ctx, False, res, path, value, isolation_expected(words, forbidden),
                               sensitive=res.is_sensitive(path))
        if not checked and res.unknown:  # no known text at all: nothing is proven free yet
            yield _unknown(ctx, res, "values", isolation_expected([], forbidden))
        elif not hits:
            yield ctx.verdict(True, res.address, "values", Raw("free of other environments' names"),
                              isolation_expected([], forbidden), file=res.file, line=res.line)


# --- EG008 IAM scope -----------------------------------------------------------------------------------------



def _in_scope(arn: str, starts: list[str], own_arns: set[str]) -> bool:
    """Whether every ARN matching the pattern `arn` belongs to this environment."""
    from policyuniverse.arn import ARN  # loads its action tables at import (~0.1 s): only when a policy is judged

    # Own ARN or below it ("<own>/*", "<own>:*"): a lookup per separator, not a scan of every own ARN.
    if arn in own_arns or any(arn[:i] in own_arns for i, c in enumerate(arn) if c in "/:"):
        return True
    parsed = ARN(arn)
    if parsed.error or not parsed.name:
        return False
    name = parsed.name
    # The resource name follows the service's type marker: "table/x", "function:x", "log-group:/aws/...".
    candidates = [name] + [name.split(sep, 1)[1] for sep in "/:" if sep in name]
    for candidate in candidates:
        if ".." in candidate.split("/"):  # a path that climbs out of the name reaches other names
            continue
        literal = candidate.split("*", 1)[0].split("?", 1)[0]
        if any(literal.startswith(start) for start in starts):
            return True
    return False


def _policy_attribute(res: Resource) -> str:
    """Where a resource keeps the policy EG008 judges: a role's is who may assume it."""
    return TRUST_ATTRIBUTE if res.type == "aws_iam_role" else POLICY_ATTRIBUTE


def _aws_principals(statement: Mapping[str, Any]) -> list[str]:
    """The IAM principals (roles, users, account roots) a statement names; services and federated identity
    providers are not another environment's."""
    principal = statement.get("Principal")
    values = principal.get("AWS") if isinstance(principal, Mapping) else None
    values = values if isinstance(values, list) else [values] if isinstance(values, str) else []
    return sorted(v for v in values if isinstance(v, str) and v.startswith("arn:"))


def _policy_document(res: Resource, attribute: str = POLICY_ATTRIBUTE) -> dict[str, Any] | None:
    value = res.get(attribute)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None
    return value if isinstance(value, dict) else None


def _statement_unknown(res: Resource, where: str, statement: Mapping[str, Any]) -> str | None:
    """The first path of the statement whose value is not known (references to own blocks are known)."""
    for key in ("Resource", "NotResource", "Condition", "Principal"):
        for path, leaf in leaves(statement.get(key), f"{where}.{key}"):
            if res.is_unknown(path) and reference_address(leaf) is None:
                return path
    return None


@check("EG008", "static", "plan", "live")
def iam_scope(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    from policyuniverse.policy import Policy  # see _in_scope

    starts = list(ctx.contract.name_stems(ctx.env))
    own_arns = {a for r in resources if isinstance(a := r.get("arn"), str)}
    own_arns |= {"${" + r.address + "}" for r in resources}
    unscoped_ok = {a.lower() for a in ctx.param("unscoped_actions")}
    expected = Raw(f"an ARN of {ctx.env} ({', '.join(s + '*' for s in starts)})")
    for res in _of(resources, ctx.rule.resource_types):
        attribute = _policy_attribute(res)
        if res.is_unknown(attribute):
            yield _unknown(ctx, res, attribute, expected)
            continue
        if res.get(attribute) in (MISSING, None, ""):
            continue
        document = _policy_document(res, attribute)
        if document is None:
            yield _verdict(ctx, False, res, attribute, res.get(attribute), Raw("an IAM policy document (JSON)"))
            continue
        raw_statements = document.get("Statement")
        raw_statements = raw_statements if isinstance(raw_statements, list) else [raw_statements]
        for index, statement in enumerate(Policy(document).statements):
            if statement.effect != "Allow":
                continue
            where = f"{attribute}.Statement[{index}]"
            if "NotResource" in statement.statement:
                yield _verdict(ctx, False, res, f"{where}.NotResource", statement.statement["NotResource"],
                               Raw("Resource (an Allow with NotResource reaches every other environment)"))
                continue
            pending = _statement_unknown(res, where, raw_statements[index] if index < len(raw_statements) else {})
            if pending:
                yield _unknown(ctx, res, pending, expected)
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
                    yield _verdict(ctx, False, res, f"{where}.Resource", arn, expected)
            for arn in sorted(statement.condition_arns):
                if not _in_scope(arn, starts, own_arns):
                    bad.append(arn)
                    yield _verdict(ctx, False, res, f"{where}.Condition", arn, expected)
            # Who is allowed (a trust policy has no Resource, only this): a role, user or account root.
            principals = _aws_principals(statement.statement)
            for arn in principals:
                if not _in_scope(arn, starts, own_arns):
                    bad.append(arn)
                    yield _verdict(ctx, False, res, f"{where}.Principal", arn, expected)
            if not bad:
                part, shown = ("Resource", arns) if arns or attribute == POLICY_ATTRIBUTE else ("Principal", principals)
                yield _verdict(ctx, True, res, f"{where}.{part}", shown, expected)


@check("EG011", "static", "plan", "live")
def log_level(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    if ctx.spec.log_level is None:
        return
    for res in _of(resources, ctx.rule.resource_types):
        yield _holds(ctx, res, "environment[0].variables.LOG_LEVEL", ctx.spec.log_level)


@check("EG012", "static", "plan", "live")
def secrets_path(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    for res in _of(resources, ctx.rule.resource_types):
        yield _starts_with(ctx, res, "name", ctx.contract.secrets_path_of(ctx.env))


# --- EG009 / EG010: static-only, on the environment's var values and the variable declarations --------------

def _tfvars(resources: Sequence[Resource]) -> Resource | None:
    return next((r for r in resources if r.type == "tfvars"), None)


@check("EG009", "static")
def tfvars_match_contract(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    tfvars = _tfvars(resources)
    if tfvars is None or tfvars.file is None:
        yield ctx.verdict(False, "tfvars", "file", MISSING, ctx.spec.tfvars)
        return
    for field in ctx.contract.variables:
        name = ctx.contract.variable(field)
        expected = ctx.env if field == "name" else ctx.spec.value(field)
        if expected is not None:
            yield _holds(ctx, tfvars, name, expected)
    declared = {r.address.removeprefix("var.") for r in resources if r.type == "variable"}
    for name in tfvars.values:
        if declared and name not in declared:
            yield _verdict(ctx, False, tfvars, name, tfvars.get(name), Raw("a variable declared in the stack"))
    known = {spec.tfvars for spec in ctx.contract.environments.values()}
    for listing in (r for r in resources if r.type == "var_files"):
        for orphan in listing.values.get("files", []):
            if orphan not in known:
                # Reported under the file's own name: it has no environment of its own in the contract.
                yield Finding(rule_id=ctx.rule.id, gate=ctx.gate, env=Path(orphan).stem, address="tfvars",
                              attribute="contract entry", actual=MISSING,
                              expected=Raw("an entry under environments: in policies/contract.yaml"),
                              outcome=Outcome.FAIL, file=orphan)


def _own_state_key(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    """Without a workspace the backend file alone keeps environments apart: its key must be its own."""
    backend = next((r for r in resources if r.type == "backend_config"), None)
    expected = Raw("a state key no other environment uses")
    if backend is None or not backend.get("key"):
        yield ctx.verdict(False, "backend_config", "key", MISSING, expected, file=ctx.spec.backend_config)
        return
    key = backend.get("key")
    shared = sorted(e for e, k in (backend.get("other_keys") or {}).items() if k == key)
    shown_value = Raw(f'"{key}" (also {", ".join(shared)})') if shared else key
    yield ctx.verdict(not shared, "backend_config", "key", shown_value, expected, file=backend.file)


@check("EG010", "static")
def workspace_bound_to_environment(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    if ctx.spec.workspace is None:
        yield from _own_state_key(resources, ctx)
        return
    name_var = ctx.contract.variable("name")
    wanted = (f"terraform.workspace == var.{name_var}", f"var.{name_var} == terraform.workspace")
    expected = Raw(wanted[0])
    variable = next((r for r in resources if r.type == "variable" and r.address == f"var.{name_var}"), None)
    if variable is None:
        yield ctx.verdict(False, f"var.{name_var}", "validation[*].condition", MISSING, expected)
        return
    conditions = [" ".join(c.split()) for c in variable.get("validation_conditions") or []]
    bound = any(c in wanted for c in conditions)
    shown_value = Raw(conditions[0]) if conditions else MISSING
    yield _verdict(ctx, bound, variable, "validation[*].condition", Raw(wanted[0]) if bound else shown_value,
                   expected)
    tfvars = _tfvars(resources)
    if tfvars is not None and name_var in tfvars.values:
        yield _holds(ctx, tfvars, name_var, ctx.spec.workspace,
                     ok=lambda v: v == ctx.spec.workspace)


# --- EG013: isolation against the other environments' deployed resources (live) -----------------------------

def _reaches(pattern: str, arn: str) -> bool:
    """Whether an IAM Resource pattern covers `arn` or something inside it (`bucket/*`, `log-group:x:*`)."""
    return fnmatchcase(arn, pattern) or pattern.startswith((arn + "/", arn + ":"))


def _word_char(char: str) -> bool:
    return bool(char) and (char.isalnum() or char in "-_")


def _bounded(text: str, ident: str) -> bool:
    """`ident` occurs in `text` as a whole name (`prod-Queue` is not inside `prod-Queue-DLQ`)."""
    start = 0
    while (pos := text.find(ident, start)) >= 0:
        if not _word_char(text[pos + len(ident): pos + len(ident) + 1]) and not _word_char(text[pos - 1: pos] if pos else ""):
            return True
        start = pos + 1
    return False


def _policy_reach(res: Resource, ctx: CheckContext, foreign: Mapping[str, str]) -> Iterator[Finding]:
    """A FAIL per Allow statement part of `res`'s policy that reaches another environment's deployed ARN."""
    from policyuniverse.policy import Policy  # see _in_scope

    if res.is_unknown(POLICY_ATTRIBUTE):
        yield _unknown(ctx, res, POLICY_ATTRIBUTE, Raw("a policy the probe can read"))
        return
    if res.get(POLICY_ATTRIBUTE) in (MISSING, None, ""):
        return
    document = _policy_document(res)
    if document is None:
        yield _verdict(ctx, False, res, POLICY_ATTRIBUTE, res.get(POLICY_ATTRIBUTE), Raw("an IAM policy document (JSON)"))
        return
    for index, statement in enumerate(Policy(document).statements):
        if statement.effect != "Allow":
            continue
        where = f"{POLICY_ATTRIBUTE}.Statement[{index}]"
        if "NotResource" in statement.statement:
            yield _verdict(ctx, False, res, f"{where}.NotResource", statement.statement["NotResource"],
                           Raw("no Allow with NotResource (it reaches every other environment)"))
        for kind, patterns in (("Resource", statement.resources), ("Condition", statement.condition_arns)):
            for pattern in sorted(p for p in patterns if p):
                reached = sorted(arn for arn in foreign if _reaches(pattern, arn))
                if reached:
                    envs = ", ".join(sorted({foreign[a] for a in reached}))
                    more = f" and {len(reached) - 1} more" if len(reached) > 1 else ""
                    yield _verdict(ctx, False, res, f"{where}.{kind}", pattern,
                                   Raw(f"no ARN of {envs} (it reaches {reached[0]}{more})"))


@check("EG013", "live")
def deployed_isolation(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    if not ctx.others:
        yield ctx.verdict(True, "environments", "others", Raw("none deployed on this target"),
                          Raw("no value or policy reaching another environment's deployed resources"))
        return
    foreign = {a: env for env, found in ctx.others.items() for r in found if isinstance(a := r.get("arn"), str) and a}
    keys = ctx.param("identifier_keys")
    identifiers = {v: env for env, found in ctx.others.items() for r in found for k in keys
                   if isinstance(v := r.values.get(k), str) and len(v) >= 6}
    policy_types = set(ctx.param("policy_types"))
    for res in (r for r in resources if r.type not in PSEUDO_TYPES):
        found = list(_policy_reach(res, ctx, foreign)) if res.type in policy_types else []
        for path, value in leaves(res.values):
            if not isinstance(value, str) or path.startswith("tags_all"):
                continue
            named = [ident for ident in identifiers if ident in value and _bounded(value, ident)]
            if named:
                longest = max(named, key=len)
                found.append(_verdict(ctx, False, res, path, value,
                                      Raw(f"nothing of {identifiers[longest]} (it names {longest})"),
                                      sensitive=res.is_sensitive(path)))
        yield from found
        if not found:
            yield ctx.verdict(True, res.address, "values", Raw("nothing of another environment"),
                              Raw(f"nothing of {', '.join(sorted(ctx.others))}"), file=res.file, line=res.line)


# --- EG014: the contract's per-environment expectations ------------------------------------------------------

def _describe(assertion: Any) -> Raw | Any:
    parts = []
    given = assertion.model_fields_set
    if "equals" in given:
        if len(given) == 1:
            return assertion.equals
        parts.append(f"equal to {render(assertion.equals)}")
    if "one_of" in given:
        parts.append(f"one of {render(assertion.one_of)}")
    if "min" in given:
        parts.append(f"at least {render(assertion.min)}")
    if "max" in given:
        parts.append(f"at most {render(assertion.max)}")
    if "regex" in given:
        parts.append(f"matching /{assertion.regex}/")
    if "present" in given:
        parts.append("present" if assertion.present else "absent")
    return Raw(" and ".join(parts))


def _satisfies(value: Any, assertion: Any) -> bool:
    given = assertion.model_fields_set
    present = value is not MISSING and value is not None
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return all((
        "equals" not in given or same(value, assertion.equals),
        "one_of" not in given or any(same(value, option) for option in assertion.one_of),
        "min" not in given or (number and value >= assertion.min),
        "max" not in given or (number and value <= assertion.max),
        "regex" not in given or (isinstance(value, str) and re.search(assertion.regex, value) is not None),
        "present" not in given or present is assertion.present,
    ))


@check("EG014", "static", "plan", "live")
def expectations(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    for expectation in ctx.contract.expectations:
        assertion = expectation.envs.get(ctx.env)
        if assertion is None:
            continue
        for res in _of(resources, [expectation.type]):
            if any(not same(res.get(key), value) for key, value in expectation.where.items()):
                continue
            yield _holds(ctx, res, expectation.attribute, _describe(assertion),
                         ok=lambda v, a=assertion: _satisfies(v, a))


# --- EG015: parity between two environments ---------------------------------------------------------------

def _glob(pattern: str) -> re.Pattern[str]:
    """A glob where only `*` is special: attribute paths hold `[0]`, which fnmatch would read as a class."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")) + r"\Z")


def _neutral(value: Any, words: re.Pattern[str], ids: Mapping[str, str]) -> Any:
    """`value` as it reads in any environment: the resources' generated identifiers as `<generated N>` and
    the environment's own words (`_own_words`) as `{env}`, so names and references compare."""
    if not isinstance(value, str):
        return value
    for generated in sorted((i for i in ids if i in value), key=len, reverse=True):
        value = value.replace(generated, ids[generated])
    return words.sub("{env}", value)


def _identities(pairs: Iterable[tuple[Resource, Resource]], keys: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Each twin's generated identifiers (id, arn, ...) that differ, both mapped to one token."""
    mine: dict[str, str] = {}
    theirs: dict[str, str] = {}
    for res, twin in pairs:
        for key in keys:
            here, there = res.get(key), twin.get(key)
            if isinstance(here, str) and isinstance(there, str) and here != there and len(here) >= 4:
                # A token free of environment words, which would be neutralised on one side only.
                mine[here] = theirs[there] = f"<generated {len(mine)}>"
    return mine, theirs


def _own_words(ctx: CheckContext, env: str) -> re.Pattern[str]:
    """The environment's name, prefix and workspace as whole words, longest first (compiled once per check)."""
    spec = ctx.contract.env(env)
    words = sorted({env, spec.prefix, spec.workspace_name} - {"default"}, key=len, reverse=True)
    return re.compile(r"(?<![A-Za-z0-9])(" + "|".join(re.escape(w) for w in words) + r")(?![a-z0-9])", re.IGNORECASE)


@check("EG015", "static", "plan", "live")
def parity(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    rule = ctx.contract.parity
    if rule is None or ctx.env != rule.environments[0]:
        return
    model = rule.environments[1]
    theirs = ctx.others.get(model)
    if theirs is None:
        yield ctx.finding("environments", model, MISSING, Raw(f"{model}'s resources in the same run"),
                          Outcome.DEFERRED)
        return
    allowed = [_glob(p) for p in rule.allow_differ]
    free = lambda *names: any(g.match(n) for g in allowed for n in names)  # noqa: E731
    words = (_own_words(ctx, ctx.env), _own_words(ctx, model))
    # Addresses the live probe derives from names (a queue policy by its URL) compare with the words neutral.
    mine = {_neutral(r.address, words[0], {}): r for r in _of(resources, ["*"])}
    other = {_neutral(r.address, words[1], {}): r for r in _of(theirs, ["*"])}
    as_in = lambda text: Raw(f"{text} as in {model} (parity)")  # noqa: E731
    for address in sorted(mine.keys() | other.keys()):
        res, twin = mine.get(address), other.get(address)
        if res is None or twin is None:
            shown = res or twin
            if not free(shown.address, base_address(shown.address)):
                yield ctx.verdict(False, shown.address, "exists", res is not None,
                                  as_in("present" if twin else "absent"), file=shown.file, line=shown.line)
    pairs = [(mine[a], other[a]) for a in sorted(mine.keys() & other.keys())
             if not free(mine[a].address, base_address(mine[a].address))]
    ids = _identities(pairs, ctx.param("identifiers"))
    for res, twin in pairs:
        yield from _twins(ctx, res, twin, words, ids, free, as_in)


def _twins(ctx: CheckContext, res: Resource, twin: Resource, words: tuple[re.Pattern[str], re.Pattern[str]],
           ids: tuple[Mapping[str, str], Mapping[str, str]], free: Callable[..., bool],
           as_in: Callable[[str], Raw]) -> Iterator[Finding]:
    values = dict(leaves(res.values))
    others = dict(leaves(twin.values))
    compared = differ = 0
    ignored, secret_names = set(ctx.param("ignored")), set(ctx.param("secret_names"))
    for path in sorted(values.keys() | others.keys()):
        leaf = _leaf(path)
        if free(path, f"{res.type}.{path}") or leaf in ignored:
            continue
        unknown_here, unknown_there = res.is_unknown(path), twin.is_unknown(path)
        if unknown_here and unknown_there:
            continue  # computed in both: a later gate compares them
        if unknown_here or unknown_there:
            yield _unknown(ctx, res if unknown_here else twin, path, as_in("known"))
            continue
        compared += 1
        here, there = values.get(path, MISSING), others.get(path, MISSING)
        if same(_neutral(here, words[0], ids[0]), _neutral(there, words[1], ids[1])):
            continue
        differ += 1
        secret = res.is_sensitive(path) or twin.is_sensitive(path) or leaf in secret_names
        yield _verdict(ctx, False, res, path, here, as_in("the same value" if secret else render(there)),
                       sensitive=secret)
    if not differ:
        yield ctx.verdict(True, res.address, "values", Raw(f"{compared} attributes compared"), as_in("the same"),
                          file=res.file, line=res.line)


# --- EG016 orphans ----------------------------------------------------------------------------------------------

@check("EG016", "live")
def in_state(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    expected = Raw(f"in the state of {ctx.env}")
    for res in _of(resources, ctx.rule.resource_types):
        if res.found_by is None:  # a part of another resource, or not from a probe
            continue
        if res.is_unknown(MANAGED_BY):
            yield _unknown(ctx, res, MANAGED_BY, expected)
        elif res.managed_by == "":
            yield _verdict(ctx, False, res, MANAGED_BY, Raw(f"no state (found by {res.found_by}, in no "
                                                            "environment's state)"), expected)
        else:
            yield _verdict(ctx, res.managed_by == ctx.env, res, MANAGED_BY, res.managed_by, expected)


# --- EG017 code identity --------------------------------------------------------------------------------------

DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def code_identity(res: Resource) -> dict[str, str]:
    """attribute -> path its value is read from: what a function runs, as a plan and a probe spell it. A plan
    knows the package hash from source_code_hash (code_sha256 only once deployed); a probe reads code_sha256."""
    if res.get("package_type") == "Image" or res.get("image_uri") not in (MISSING, None, ""):
        return {"image_uri": "image_uri", "layers": "layers"}
    known = [p for p in ("code_sha256", "source_code_hash") if not res.is_unknown(p) and res.get(p) not in (MISSING, None, "")]
    return {"code_sha256": known[0] if known else "code_sha256", "layers": "layers"}


@check("EG017", "plan", "live")
def code_pinned(resources: Sequence[Resource], ctx: CheckContext) -> Iterator[Finding]:
    for res in _of(resources, ctx.rule.resource_types):
        for attribute, path in code_identity(res).items():
            expected = Raw("an image digest (repository@sha256:...)" if attribute == "image_uri" else
                           "a known package hash" if attribute == "code_sha256" else "known layer versions")
            value = res.get(path)
            if res.is_unknown(path) or value is MISSING:  # a real plan always has both, known or computed
                yield _unknown(ctx, res, path, expected)
            elif attribute == "layers":
                yield _verdict(ctx, True, res, attribute, list(value or []), expected)
            elif attribute == "image_uri":
                yield _verdict(ctx, isinstance(value, str) and bool(DIGEST.search(value)), res, attribute, value, expected)
            else:
                yield _verdict(ctx, isinstance(value, str) and value != "", res, attribute, value, expected)
