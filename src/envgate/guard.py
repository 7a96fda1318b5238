"""Safety hooks for boto3: a loopback-only network guard and a read-only guard with call counts."""

from __future__ import annotations

import ipaddress
import sys
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from envgate.errors import EnvgateError
from envgate.localaws import is_loopback

READ_PREFIXES = ("Describe", "Get", "List", "Head")


class RealAwsRequest(EnvgateError):
    """A local run tried to send a request to a non-loopback endpoint."""


class MutatingCallRefused(EnvgateError):
    """A read-only session tried a call that could change something."""


_ENFORCING: list[bool] = []


def _audit(event: str, args: tuple) -> None:
    # Any in-process connection, whatever library makes it: refused unless it goes to loopback.
    if not _ENFORCING or event != "socket.connect":
        return
    address = args[1]
    if isinstance(address, tuple) and address and isinstance(address[0], str):
        try:
            local = ipaddress.ip_address(address[0].split("%", 1)[0]).is_loopback
        except ValueError:
            local = address[0] == "localhost"
        if not local:
            raise RealAwsRequest(f"refused a connection to {address[0]}:{address[1]}: local runs only reach the emulator")


sys.addaudithook(_audit)


@contextmanager
def loopback_only():
    """Refuse any connection to a host that is not loopback; boto3 requests already before they are sent.

    botocore is patched only when something has imported it: a tier that never talks to AWS (the static
    gate) does not pay for importing it, and the socket-level audit hook still covers it if it does.
    """
    httpsession = sys.modules.get("botocore.httpsession")
    original = httpsession.URLLib3Session.send if httpsession else None

    def send(self, request):
        if not is_loopback(request.url):
            raise RealAwsRequest(f"refused a request to {request.url.split('?')[0]}: local runs only reach the emulator")
        return original(self, request)

    if httpsession:
        httpsession.URLLib3Session.send = send
    _ENFORCING.append(True)
    try:
        yield
    finally:
        _ENFORCING.pop()
        if httpsession:
            httpsession.URLLib3Session.send = original


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
