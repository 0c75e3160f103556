"""The contract tests' loopback stand-in for Ledgerflow (the shared recording server), and their helpers."""

from __future__ import annotations

import importlib.util
import socket
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, Iterator, List

import pytest
from xero_python.api_client.oauth2 import OAuth2Token

from ..support import LoopbackServer, Recorded, Reply, run_loopback_server

REPO = Path(__file__).resolve().parents[2]
PDF_BODY = b"%PDF-1.4\n% stand-in\n%%EOF\n"


def stand_in_answer(request: Recorded) -> Reply:
    """What the contract tests' stand-in answers: a PDF when asked for one, ``[]`` for
    connections, and a small JSON body for everything else."""
    if "application/pdf" in (request.headers.get("Accept") or ""):
        return 200, PDF_BODY, "application/pdf"
    if request.path.lower().endswith("/connections"):
        return 200, []
    return 200, {"Id": "stand-in", "Status": "OK"}


@pytest.fixture(scope="module")
def stand_in() -> Iterator[LoopbackServer]:
    """A loopback stand-in for Ledgerflow that answers every request (see :func:`stand_in_answer`)."""
    yield from run_loopback_server(default=stand_in_answer)


def token_set() -> Dict[str, Any]:
    return {
        "access_token": "contract-access-token",
        "refresh_token": "contract-refresh-token",
        "token_type": "Bearer",
        "expires_in": 1800,
        "expires_at": time.time() + 1800,
        "scope": ["accounting.transactions"],
    }


def oauth2_token() -> OAuth2Token:
    return OAuth2Token(client_id="client-id", client_secret="client-secret")


def plain_configuration() -> Any:
    """A plain xero-python configuration with its own token. xero-python hands out copies of
    the first configuration ever built (upstream issue 99), so the token is set afterwards:
    an earlier test's configuration must not decide this one's."""
    from xero_python.api_client.configuration import Configuration as XeroConfiguration

    configuration = XeroConfiguration()
    configuration.oauth2_token = oauth2_token()
    return configuration


class SocketSpy:
    """Records every name lookup and connection attempt while installed."""

    def __init__(self) -> None:
        self.calls: List[str] = []


@pytest.fixture
def socket_spy(monkeypatch: pytest.MonkeyPatch) -> SocketSpy:
    spy = SocketSpy()
    real_getaddrinfo, real_create_connection = socket.getaddrinfo, socket.create_connection
    real_connect = socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        spy.calls.append(f"getaddrinfo {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
        spy.calls.append(f"create_connection {address}")
        return real_create_connection(address, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> Any:
        spy.calls.append(f"connect {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return spy


def load_script(name: str) -> ModuleType:
    """Import ``scripts/<name>.py`` as a module (scripts/ is not a package)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def fill(template: str, value: str) -> str:
    """``/Invoices/{InvoiceID}`` -> ``/Invoices/<value>``."""
    return "/".join(value if part.startswith("{") else part for part in template.split("/"))


def header(seen: Recorded, name: str) -> str | None:
    return seen.headers.get(name)
