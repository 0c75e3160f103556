"""Checks every test in this project inherits.

``no_xero_traffic`` (autouse) spies on the two places a request must pass before it leaves
the process — the DNS lookup and urllib3's connection pool — and fails the test if either
saw a ``*.xero.com`` host. The lookup is refused rather than performed, so a bug can never
actually send a token to Xero from a test run.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Iterator, List

import pytest

from ledgerflow_xero.routing import is_xero_host


class XeroTrafficSpy:
    """What left (or tried to leave) the process during a test, seen at the socket layer:
    every host name looked up and every address connected to, whatever library sent it."""

    def __init__(self) -> None:
        self.lookups: List[str] = []
        self.connections: List[str] = []

    @property
    def xero_hosts(self) -> List[str]:
        return [host for host in self.lookups + self.connections if is_xero_host(host)]

    def forget(self) -> None:
        """Clear what was seen (a test that provoked traffic on purpose, after asserting it)."""
        self.lookups.clear()
        self.connections.clear()


@pytest.fixture(autouse=True)
def no_xero_traffic(monkeypatch: pytest.MonkeyPatch) -> Iterator[XeroTrafficSpy]:
    """Fails any test in which a ``*.xero.com`` host was looked up or connected to. The lookup
    of a Xero host is refused rather than performed, so a bug can never send a token to Xero."""
    spy = XeroTrafficSpy()
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        name = host.decode() if isinstance(host, bytes) else str(host)
        spy.lookups.append(name)
        if is_xero_host(name):
            raise OSError(f"test spy: refused DNS lookup of Xero host {name}")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self, address):  # type: ignore[no-untyped-def]
        spy.connections.append(str(address[0]) if isinstance(address, tuple) else str(address))
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield spy
    assert spy.xero_hosts == [], f"a request reached a Xero host: {spy.xero_hosts}"


@pytest.fixture(autouse=True)
def no_ledgerflow_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start from a clean environment; a test that needs the variables sets them."""
    monkeypatch.delenv("LEDGERFLOW_SOURCE", raising=False)
    monkeypatch.delenv("LEDGERFLOW_HOST", raising=False)


SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the checkout (Xero's OpenAPI specs, the service page).

    A user's fresh checkout has no such folder: tests that need it skip and say so. CI
    has it, so under CI a missing folder fails instead of skipping silently.
    """
    if not SHARED_DIR.is_dir():
        message = f"needs the project's shared data folder at {SHARED_DIR} (CI provides it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DIR
