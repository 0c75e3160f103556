"""What the tests share: one loopback HTTP server that records what it is sent, and one way to
sign in to a running sandbox as a user's program does.

The Xero-traffic spy every test runs under is the autouse ``no_xero_traffic`` fixture in
``tests/conftest.py``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterator, List, Tuple, Union
from urllib.parse import parse_qs, urlsplit

import urllib3
from urllib3._collections import HTTPHeaderDict  # urllib3 1.26 (Python 3.9 here) and 2.x

TOKEN_RESPONSE = {
    "access_token": "new-access-token",
    "refresh_token": "new-refresh-token",
    "id_token": "new-id-token",
    "token_type": "Bearer",
    "expires_in": 1800,
    "scope": "openid offline_access accounting.transactions",
}


@dataclass
class Recorded:
    """One request the loopback server received. ``target`` is the request target as sent
    (path and query), ``path`` the same without its query, ``query`` the query parsed."""

    method: str
    target: str
    headers: HTTPHeaderDict
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> Dict[str, List[str]]:
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)

    @property
    def form(self) -> Dict[str, List[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)


# (status, body) or (status, body, content type); a body that is not bytes is sent as JSON.
Reply = Union[Tuple[int, Any], Tuple[int, Any, str]]
Answer = Union[Reply, Callable[[Recorded], Reply]]


def ledgerflow_answer(recorded: Recorded) -> Tuple[int, Any]:
    """What a Ledgerflow stand-in answers by default: a token set, an empty revocation, one
    connection, and an organisation named after the source segment of accounting paths."""
    path = recorded.path
    if path.endswith("/connect/token"):
        return 200, TOKEN_RESPONSE
    if path.endswith("/connect/revocation"):
        return 200, {}
    if path.endswith("/connections"):
        return 200, [{
            "id": "b1a5a3c6-0000-4000-8000-000000000001",
            "tenantId": "7b3d1a52-0000-4000-8000-000000000002",
            "tenantType": "ORGANISATION",
            "tenantName": "Recorded Org",
        }]
    if "/api.xro/2.0/" in path:
        return 200, {"Organisations": [{"Name": f"Org of source {path.split('/')[1]}", "OrganisationID": None}]}
    return 404, {"Title": "Not found", "Detail": path}


@dataclass
class LoopbackServer:
    """A real HTTP server on 127.0.0.1 that records every request. ``answers[(method, path)]``
    is what it sends back (a (status, body) pair, or a callable taking the request); ``redirects``
    maps a path to a ``Location`` it answers 302 with; anything else gets ``default``'s answer
    (404 unless the server stands in for Ledgerflow)."""

    default: Callable[[Recorded], Reply] = lambda _request: (404, {"error": "not_found"})
    answers: Dict[Tuple[str, str], Answer] = field(default_factory=dict)
    redirects: Dict[str, str] = field(default_factory=dict)
    requests: List[Recorded] = field(default_factory=list)
    base_url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def host(self) -> str:
        """The server's base URL, as ``host=`` for a Ledgerflow configuration."""
        return self.base_url

    def answer(self, method: str, path: str, status: int, body: Any) -> None:
        self.answers[(method, path)] = (status, body)

    def requests_to(self, path: str) -> List[Recorded]:
        return [r for r in self.requests if r.path == path]

    def seen(self) -> List[Tuple[str, str]]:
        """(method, target) of every request so far, in order."""
        with self.lock:
            return [(r.method, r.target) for r in self.requests]

    def _respond(self, recorded: Recorded) -> Tuple[int, Dict[str, str], bytes]:
        location = self.redirects.get(recorded.path)
        if location:
            return 302, {"Location": location}, b""
        answer: Answer | None = self.answers.get((recorded.method, recorded.path))
        if answer is None:
            reply = self.default(recorded)
        elif callable(answer):
            reply = answer(recorded)
        else:
            reply = answer
        status, body, content_type = reply if len(reply) == 3 else (*reply, "application/json")
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return status, {"Content-Type": content_type}, data


def _handler_for(server: LoopbackServer) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            recorded = Recorded(self.command, self.path, HTTPHeaderDict(dict(self.headers.items())),
                                self.rfile.read(length) if length else b"")
            with server.lock:
                server.requests.append(recorded)
            status, headers, data = server._respond(recorded)
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

    return Handler


def run_loopback_server(stands_in_for_ledgerflow: bool = False,
                        default: Callable[[Recorded], Reply] | None = None) -> Iterator[LoopbackServer]:
    """Start a :class:`LoopbackServer` on a free port (a generator for fixtures: stops on close).
    Unanswered requests get ``default``'s reply, else :func:`ledgerflow_answer`'s when it stands
    in for Ledgerflow, else a 404."""
    if default is None and stands_in_for_ledgerflow:
        default = ledgerflow_answer
    state = LoopbackServer(default=default) if default is not None else LoopbackServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(state))
    httpd.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


SIGN_IN_SCOPE = "openid profile email offline_access accounting.transactions.read accounting.settings.read"
_browser = urllib3.PoolManager(retries=False)


class SignedIn:
    """Sign in to a running sandbox the way a user's program does, and keep what such a
    program holds: the login (state, verifier), the code, the token store (xero-python's
    getter/saver pattern, with a record of saves), a Ledgerflow ``ApiClient`` and the tenant."""

    def __init__(self, sandbox: Any, source: int, **configuration: Any) -> None:
        from ledgerflow_xero import TokenStore, authorization_url, exchange_code

        self.sandbox = sandbox
        self.source = source
        self.login = authorization_url(sandbox.client_id, sandbox.redirect_uri, SIGN_IN_SCOPE, source=source,
                                       host=sandbox.base_url)
        answer = _browser.request("GET", self.login.url, redirect=False)
        assert answer.status == 302, answer.data
        query = parse_qs(urlsplit(answer.headers["Location"]).query)
        self.code = query["code"][0]
        self.tokens = exchange_code(
            self.code, client_id=sandbox.client_id, client_secret=sandbox.client_secret,
            redirect_uri=sandbox.redirect_uri, source=source, host=sandbox.base_url,
            code_verifier=self.login.code_verifier, expected_state=self.login.state,
            returned_state=query["state"][0],
        )
        self.store = TokenStore(self.tokens)
        self.api_client = self.new_client(**configuration)
        self.tenant_id = sandbox.organisation(source).tenant_id

    def new_client(self, **configuration: Any) -> Any:
        """Another client on the same token store (as another thread of the program would build)."""
        from xero_python.api_client.oauth2 import OAuth2Token

        from ledgerflow_xero import ApiClient, Configuration

        return ApiClient(
            Configuration(
                oauth2_token=OAuth2Token(client_id=self.sandbox.client_id, client_secret=self.sandbox.client_secret),
                source=self.source, host=self.sandbox.base_url, **configuration,
            ),
            pool_threads=1,
            oauth2_token_getter=self.store.get,
            oauth2_token_saver=self.store.save,
        )

    def secrets(self) -> Dict[str, str]:
        """Every secret of this sign-in, by name, including those of earlier token sets."""
        found = {
            "client secret": self.sandbox.client_secret,
            "code": self.code,
            "code verifier": self.login.code_verifier,
        }
        for number, token in enumerate([self.store.token, *self.store.saved]):
            for key in ("access_token", "refresh_token", "id_token"):
                if token.get(key):
                    found[f"{key} #{number}"] = token[key]
        return found
