"""Fault switches for the sandbox: make chosen requests fail the way real servers fail.

For testing how an app (and this package) copes with a bad day at Ledgerflow::

    with running_sandbox() as sandbox:
        sandbox.faults.add("status", status=429, headers={"Retry-After": "2"}, path="/api.xro/", times=1)
        sandbox.faults.add("reset", path="/connect/token")
        ...
        sandbox.faults.clear()

Each fault matches requests by method and by a substring of the path (case-insensitive), and
applies to the next ``times`` matching requests (every one when ``times`` is None). Kinds:

- ``"status"``: answer ``status`` (default 500) with a Xero-shaped error body and ``headers``;
- ``"slow"``: wait ``delay`` seconds, then answer normally (to outlast a client's timeout);
- ``"reset"``: drop the connection with a TCP reset, answering nothing;
- ``"malformed-json"``: answer ``status`` (default 200) with a JSON content type and a cut-off body;
- ``"html"``: answer ``status`` (default 200) with an HTML page, as a proxy's error page would.
"""

from __future__ import annotations

import select
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List

from ..errors import SandboxConfigError
from .wire import Response, problem

FAULT_KINDS = ("status", "slow", "reset", "malformed-json", "html")
_DEFAULT_STATUS = {"status": 500, "malformed-json": 200, "html": 200}


@dataclass
class Fault:
    """One fault switch; see the module docstring for the kinds."""

    kind: str
    path: str = ""
    method: str | None = None
    status: int | None = None
    headers: Dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    times: int | None = None
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method.upper() == method) and self.path.lower() in path.lower()

    def response(self) -> Response:
        """The answer a ``status``, ``malformed-json`` or ``html`` fault sends."""
        status = self.status or _DEFAULT_STATUS[self.kind]
        if self.kind == "status":
            response = problem(status, f"sandbox fault: HTTP {status}", **self.headers)
        elif self.kind == "malformed-json":
            response = Response(status, b'{"Organisations": [{"Name": "cut off', {
                "Content-Type": "application/json; charset=utf-8", **self.headers})
        else:
            response = Response(status, b"<!doctype html><title>502 Bad Gateway</title><h1>Bad Gateway</h1>", {
                "Content-Type": "text/html; charset=utf-8", **self.headers})
        response.note = f"fault {self.kind}"
        return response


class FaultPlan:
    """The fault switches of one sandbox (thread-safe: the server answers from many threads)."""

    def __init__(self) -> None:
        self._faults: List[Fault] = []
        self._lock = threading.Lock()

    def add(self, kind: str, **options: Any) -> Fault:
        """Switch a fault on; returns it (its ``hits`` counts the requests it changed)."""
        if kind not in FAULT_KINDS:
            raise SandboxConfigError(f"unknown sandbox fault {kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        fault = Fault(kind, **options)
        if fault.times is not None and fault.times < 1:
            raise SandboxConfigError(f"fault times={fault.times!r}: expected a count >= 1, or None for every request")
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Switch every fault off."""
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault that applies to this request, counted as used; None for most requests."""
        if not self._faults:
            return None
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.hits += 1
                    if fault.times is not None and fault.hits >= fault.times:
                        self._faults.remove(fault)
                    return fault
        return None


DROPPED = Response(0, note="connection dropped")
"""What :func:`apply_fault` returns when it closed the connection: send nothing."""


def apply_fault(fault: Fault, handler: Any) -> Response | None:
    """Act out ``fault`` on a request handler (``http.server.BaseHTTPRequestHandler``).

    Returns the response to send instead of the app's; None to let the app answer (after
    a delay); or :data:`DROPPED` when the connection was closed and nothing is to be sent.
    """
    if fault.kind == "slow":
        time.sleep(fault.delay)
        if _peer_has_gone(handler.connection):  # the client timed out: answering would only raise
            return _drop(handler, reset=False)
        return None
    if fault.kind == "reset":
        return _drop(handler, reset=True)
    return fault.response()


def _peer_has_gone(connection: socket.socket) -> bool:
    """Whether the client closed its end, without waiting: a socket with a timeout (the handler's
    60 s idle timeout) waits for readability before any recv, even with MSG_DONTWAIT, so ask select."""
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def _drop(handler: Any, *, reset: bool) -> Response:
    connection: socket.socket = handler.connection
    if reset:  # SO_LINGER with a zero timeout makes close() send RST instead of FIN
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()
    handler.close_connection = True
    return DROPPED
