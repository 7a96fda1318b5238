"""Safety hooks for boto3: a loopback-only network guard and a read-only guard with call counts.

A read-only session may call only what envgate.allowlist lists (with its parameter limits): the check runs
as the call begins (botocore's provide-client-params), before anything is validated, signed or sent.
"""

from __future__ import annotations

import ipaddress
import sys
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from envgate.allowlist import refusal
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


def watch(session, log: CallLog, read_only: bool, label: str = "",
          state_objects: frozenset[tuple[str, str]] = frozenset()) -> CallLog:
    """Count every call on `session`; when read_only, refuse every call the allow-list does not permit."""

    def provide_client_params(params, model, **_):
        op = f"{model.service_model.service_name}:{model.name}"
        if read_only:
            why = refusal(model.service_model.service_name, model.name, params, state_objects)
            if why:
                log.refused.append(op)
                raise MutatingCallRefused(f"{label} is read-only: refused {op} ({why})")
        log.calls[op] += 1

    # The first event of a call (before parameter validation, signing and any stub): nothing is built yet.
    session.events.register("provide-client-params", provide_client_params)
    return log


@contextmanager
def allow_listed_only(log: CallLog, state_objects: frozenset[tuple[str, str]] = frozenset()):
    """Every boto3 client of this process may make only allow-listed calls (what a --real-aws run gets):
    whatever a test does, nothing outside envgate.allowlist reaches a real account. `log` records them all."""
    import botocore.client

    original = botocore.client.BaseClient._make_api_call

    def call(self, operation_name, api_params):
        service = self.meta.service_model.service_name
        op = f"{service}:{operation_name}"
        why = refusal(service, operation_name, api_params, state_objects)
        if why:
            log.refused.append(op)
            raise MutatingCallRefused(f"a --real-aws run is read-only: refused {op} ({why})")
        log.calls[op] += 1
        return original(self, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = call
    try:
        yield log
    finally:
        botocore.client.BaseClient._make_api_call = original
