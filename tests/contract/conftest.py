"""A loopback stand-in for Ledgerflow that records requests, and the helpers the contract tests share."""

from __future__ import annotations

import importlib.util
import json
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, Iterator, List

import pytest
from xero_python.api_client.oauth2 import OAuth2Token

REPO = Path(__file__).resolve().parents[2]
PDF_BODY = b"%PDF-1.4\n% stand-in\n%%EOF\n"


@dataclass
class Seen:
    method: str
    path: str
    headers: Dict[str, str]


@dataclass
class StandIn:
    """Answers every accounting GET with ``{}`` (a PDF when asked for one, unless ``pdf_as_json``)."""

    server: ThreadingHTTPServer
    requests: List[Seen] = field(default_factory=list)
    pdf_as_json: bool = False

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"


def _handler(stand_in: StandIn) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            stand_in.requests.append(Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
            if "application/pdf" in (self.headers.get("Accept") or "") and not stand_in.pdf_as_json:
                body, content_type = PDF_BODY, "application/pdf"
            elif self.path.split("?")[0].lower().endswith("/connections"):
                body, content_type = b"[]", "application/json"
            else:
                body, content_type = json.dumps({"Id": "stand-in", "Status": "OK"}).encode(), "application/json"
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def stand_in() -> Iterator[StandIn]:
    instance = StandIn(server=None)  # type: ignore[arg-type]
    instance.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(instance))
    instance.server.daemon_threads = True
    thread = threading.Thread(target=instance.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield instance
    instance.server.shutdown()
    instance.server.server_close()


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


def header(seen: Seen, name: str) -> str | None:
    return seen.headers.get(name.lower())
