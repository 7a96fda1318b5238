"""Safety hooks for boto3: a loopback-only network guard and a read-only guard with call counts."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

import botocore.httpsession

from envgate.errors import EnvgateError
from envgate.localaws import is_loopback

READ_PREFIXES = ("Describe", "Get", "List", "Head")


class RealAwsRequest(EnvgateError):
    """A local run tried to send a request to a non-loopback endpoint."""


class MutatingCallRefused(EnvgateError):
    """A read-only session tried a call that could change something."""


@contextmanager
def loopback_only():
    """Refuse, before it is sent, any boto3 request to a host that is not loopback."""
    original = botocore.httpsession.URLLib3Session.send

    def send(self, request):
        if not is_loopback(request.url):
            raise RealAwsRequest(f"refused a request to {request.url.split('?')[0]}: local runs only reach the emulator")
        return original(self, request)

    botocore.httpsession.URLLib3Session.send = send
    try:
        yield
    finally:
        botocore.httpsession.URLLib3Session.send = original


@dataclass
class CallLog:
    """API calls seen on one boto3 session, by `service:Operation`."""

    calls: Counter = field(default_factory=Counter)
    refused: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    @property
    def mutating(self) -> int:
        return sum(n for op, n in self.calls.items() if not op.split(":", 1)[1].startswith(READ_PREFIXES)) + len(self.refused)


def watch(session, log: CallLog, read_only: bool, label: str = "") -> CallLog:
    """Count every call on `session`; when read_only, refuse all but Describe/Get/List/Head."""

    def before_call(model, **_):
        op = f"{model.service_model.service_name}:{model.name}"
        if read_only and not model.name.startswith(READ_PREFIXES):
            log.refused.append(op)
            raise MutatingCallRefused(f"{label} is read-only: refused {op} (only Describe/Get/List/Head calls are allowed)")
        log.calls[op] += 1

    session.events.register("before-call", before_call)
    return log
