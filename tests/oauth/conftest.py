"""Fixtures for the sign-in tests: a loopback HTTP server that plays Ledgerflow's identity
endpoints, and RSA keys generated per test session for signing tokens."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Tuple
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from ledgerflow_xero.oauth import clear_signing_key_cache

SOURCE = 1004
CLIENT_ID = "client-id-123"
CLIENT_SECRET = "client-secret-very-secret"


@dataclass
class Recorded:
    """One request the loopback server received."""

    method: str
    path: str
    query: Dict[str, List[str]]
    headers: Dict[str, str]
    body: bytes

    @property
    def form(self) -> Dict[str, List[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)


Answer = Tuple[int, Any]  # (status, JSON-able body or raw bytes)


@dataclass
class LoopbackServer:
    """A real HTTP server on 127.0.0.1:<ephemeral>; ``answers[(method, path)]`` is what it
    sends back (a (status, body) pair or a callable taking the Recorded request)."""

    host: str
    answers: Dict[Tuple[str, str], Any] = field(default_factory=dict)
    requests: List[Recorded] = field(default_factory=list)

    def answer(self, method: str, path: str, status: int, body: Any) -> None:
        self.answers[(method, path)] = (status, body)

    def requests_to(self, path: str) -> List[Recorded]:
        return [r for r in self.requests if r.path == path]


def _handler_for(server: LoopbackServer) -> type:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            recorded = Recorded(
                method=self.command,
                path=split.path,
                query=parse_qs(split.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            server.requests.append(recorded)
            answer: Any | None = server.answers.get((self.command, split.path))
            if callable(answer):
                answer = answer(recorded)
            status, body = answer if answer is not None else (404, {"error": "not_found"})
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout test)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

    return Handler


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    state = LoopbackServer(host="")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(state))
    state.host = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(autouse=True)
def fresh_signing_key_cache() -> Iterator[None]:
    clear_signing_key_cache()
    yield
    clear_signing_key_cache()


# --- keys and tokens ---------------------------------------------------------------


@pytest.fixture(scope="session")
def rsa_keys() -> Dict[str, Any]:
    """Two RSA private keys, generated once per run: "good" (published) and "other" (not)."""
    return {name: rsa.generate_private_key(public_exponent=65537, key_size=2048) for name in ("good", "other")}


def public_jwk(private_key: Any, kid: str) -> Dict[str, Any]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    jwk.update(kid=kid, use="sig", alg="RS256")
    return jwk


@dataclass
class Identity:
    """Ledgerflow's discovery and signing keys on the loopback server, and a token minter."""

    server: LoopbackServer
    issuer: str
    keys: Dict[str, Any]
    published: Dict[str, str]  # kid -> key name

    @property
    def openid_path(self) -> str:
        return f"/{SOURCE}/.well-known/openid-configuration"

    @property
    def jwks_path(self) -> str:
        return self.openid_path + "/jwks"

    def publish(self, **kids: str) -> None:
        """Publish exactly these kid -> key-name pairs at the JWKS URL."""
        self.published = dict(kids)
        self.server.answer(
            "GET", self.jwks_path, 200, {"keys": [public_jwk(self.keys[name], kid) for kid, name in kids.items()]}
        )

    def claims(self, **overrides: Any) -> Dict[str, Any]:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "sub": "user-1", "iat": now, "nbf": now, "exp": now + 300}
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def mint(self, key: str = "good", kid: str | None = "kid-1", algorithm: str = "RS256", **claims: Any) -> str:
        headers = {"kid": kid} if kid is not None else {}
        return jwt.encode(self.claims(**claims), self.keys[key], algorithm=algorithm, headers=headers)


@pytest.fixture
def identity(loopback: LoopbackServer, rsa_keys: Dict[str, Any]) -> Identity:
    issuer = f"{loopback.host}/{SOURCE}/identity"  # deliberately not identity.xero.com
    ident = Identity(server=loopback, issuer=issuer, keys=rsa_keys, published={})
    loopback.answer("GET", ident.openid_path, 200, {"issuer": issuer, "jwks_uri": loopback.host + ident.jwks_path})
    ident.publish(**{"kid-1": "good"})
    return ident

