"""The sandbox's HTTP server and its lifecycle (:class:`Sandbox`, :func:`running_sandbox`).

Why the standard library's ``http.server.ThreadingHTTPServer``: the sandbox answers a few
requests per second from tests and demos on loopback, so it needs no production server;
a thread per connection keeps slow clients from blocking others; and it adds no dependency
(and no second version matrix) to a package whose users only want to test against it.
It speaks HTTP/1.1 with keep-alive, so xero-python's urllib3 pool reuses connections.
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Dict, Iterable, Iterator, Sequence, Set, Tuple
from urllib.parse import parse_qs, urlsplit

from ..errors import SandboxConfigError
from ..routing import Router, validate_host
from ..sources import Source, SourceLike, parse_source
from .accounting import Books
from .app import SANDBOX_SOURCES, SandboxApp
from .clients import DEMO_CLIENT, RegisteredClient, build_registry
from .faults import DROPPED, FaultPlan, apply_fault
from .wire import Request, Response, problem

if TYPE_CHECKING:
    from ..client import ApiClient

logger = logging.getLogger("ledgerflow_xero.sandbox")

API_CLIENT_SCOPE = (
    "openid",
    "profile",
    "email",
    "offline_access",
    "accounting.transactions.read",
    "accounting.settings.read",
    "accounting.contacts.read",
    "accounting.reports.read",
)
"""The scope :meth:`Sandbox.api_client` signs in with: every read the sandbox serves."""

MAX_BODY = 1024 * 1024
"""The largest request body the sandbox reads (bytes). Its own endpoints take small forms; the
body is read before authentication, so this bounds what an unauthenticated caller can make it hold."""


def _body_length(handler: BaseHTTPRequestHandler, limit: int) -> int | Response:
    """The request's declared body length, or the 400/411/413 answer that refuses it unread."""
    declared = handler.headers.get_all("Content-Length") or []
    if handler.headers.get("Transfer-Encoding"):
        return problem(411, "send the body with a Content-Length; chunked transfer encoding is not accepted")
    if not declared:
        return 0
    values = {value.strip() for value in declared}
    text = values.pop()
    if values or not text.isdigit():  # isdigit: no sign, no spaces, no hex; two different values are smuggling
        shown = ", ".join(repr(v[:20]) for v in declared)
        return problem(400, f"malformed Content-Length {shown}: expected one whole number of bytes")
    if int(text) > limit:
        return problem(413, f"request body of {int(text)} bytes is over the sandbox's limit of {limit} bytes")
    return int(text)


def _accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` value admits gzip (RFC 9110 12.5.3: ``q=0`` refuses it)."""
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip() in ("gzip", "x-gzip", "*"):
            weight = params.strip()
            if weight.startswith("q="):
                try:
                    return float(weight[2:]) > 0
                except ValueError:
                    return False
            return True
    return False


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server  # pyright: ignore[reportIncompatibleVariableOverride] - the server this handler runs in
    protocol_version = "HTTP/1.1"
    server_version = "ledgerflow-sandbox"
    timeout = 60  # an idle keep-alive connection frees its thread after this long
    disable_nagle_algorithm = True  # headers and body go out in two sends: don't stall the second on an ACK

    def handle(self) -> None:
        try:
            super().handle()
        except ConnectionError as gone:  # BrokenPipe, ConnectionReset, ConnectionAborted: the client left
            self.close_connection = True
            logger.info("client %s disconnected early (%s)", self.client_address[0], type(gone).__name__)

    def handle_expect_100(self) -> bool:
        """Refuse an unacceptable body before the client sends it, instead of inviting it with 100."""
        length = _body_length(self, self.server.max_body)
        if isinstance(length, Response):
            self.close_connection = True
            self._log(length, time.perf_counter())
            self._write(length)
            return False
        return super().handle_expect_100()

    def _serve(self) -> None:
        started = time.perf_counter()
        parts = urlsplit(self.path)
        length = _body_length(self, self.server.max_body)
        if isinstance(length, Response):
            response = length
            self.close_connection = True  # the unread body would otherwise be taken for the next request
        else:
            body = self.rfile.read(length) if length > 0 else b""
            if len(body) < length:
                raise ConnectionResetError("the client closed the connection mid-body")
            request = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                raw_query=parts.query,
            )
            fault = self.server.faults.take(self.command, parts.path)  # test switches: faults.py
            faulted = apply_fault(fault, self) if fault else None
            if faulted is DROPPED:
                logger.info("%s %s connection dropped (fault %s)", self.command, parts.path, fault and fault.kind)
                return
            try:
                response = faulted or self.server.app.handle(request)
            except Exception:  # a bug must answer 500 and show in the log, not drop the connection
                logger.exception("sandbox error on %s %s", self.command, parts.path)
                response = problem(500, "internal sandbox error")
        # Logged before the answer goes out, so the line exists by the time a client sees the answer.
        self._log(response, started)
        self._write(response)

    def _log(self, response: Response, started: float) -> None:
        logger.info(
            "%s %s %d %.1fms%s",
            self.command,
            urlsplit(self.path).path,
            response.status,
            (time.perf_counter() - started) * 1000,
            f" {response.note}" if response.note else "",
        )

    def _write(self, response: Response) -> None:
        body = response.body
        if body and _accepts_gzip(self.headers.get("Accept-Encoding", "")):
            body = gzip.compress(body, compresslevel=5)
            response.headers = dict(response.headers, **{"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:  # tell the client, so it does not reuse a connection that is closing
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Silence the default access log; :meth:`_serve` logs one secret-free line instead."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # keep-alive connections must not hold up stop()
    app: SandboxApp
    faults: FaultPlan
    max_body: int = MAX_BODY

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._open: Set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A failure outside a request's answer: one log line for a vanished client, a logged traceback else."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            logger.info("client %s disconnected early (%s)", client_address[0], type(error).__name__)
        else:
            logger.exception("sandbox connection error from %s", client_address[0])

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self) -> None:
        """End keep-alive connections too, so no client keeps talking to a stopped sandbox."""
        with self._open_lock:
            connections, self._open = list(self._open), set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


def _loopback_base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    try:
        return validate_host(f"http://{shown}:{port}")
    except Exception as error:
        raise SandboxConfigError(
            f"the sandbox listens on loopback only (127.0.0.1, ::1, localhost), not {host!r}: "
            "its demo credentials are public"
        ) from error


class Sandbox:
    """A local Ledgerflow on loopback: identity, connections and accounting for sources 1001, 1004, 1009.

    ``Sandbox(port=0)`` picks a free port. Use it as a context manager, or call :meth:`start`
    and :meth:`stop`. The demo client's credentials are :attr:`client_id`,
    :attr:`client_secret` and :attr:`redirect_uri`; more clients come from ``clients=``.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clients: Iterable[RegisteredClient] = (),
        include_demo_client: bool = True,
        seed: int | None = None,
        scale: int = 1,
        accounting_upstream: str | None = None,
        forward_unserved: bool = False,
        max_body: int = MAX_BODY,
        **app_options: Any,
    ) -> None:
        _loopback_base_url(host, 1)  # refuse a public interface before binding anything
        if forward_unserved and not accounting_upstream:
            raise SandboxConfigError("forward_unserved needs an accounting upstream URL to forward to")
        self._registry = build_registry(clients, include_demo=include_demo_client)
        self._server = _Server((host, port), _RequestHandler, bind_and_activate=True)
        self.host = host
        self.port = int(self._server.server_address[1])
        self.base_url = _loopback_base_url(host, self.port)
        self.app = SandboxApp(
            self.base_url,
            self._registry,
            seed=seed,
            scale=scale,
            accounting_upstream=accounting_upstream,
            forward_unserved=forward_unserved,
            **app_options,
        )
        self._server.app = self.app
        self._server.max_body = max_body
        self.faults = FaultPlan()  # switches that make chosen requests fail, for tests
        self._server.faults = self.faults
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"Sandbox(base_url={self.base_url!r}, clients={sorted(self._registry)!r})"

    # --- credentials and data users need in tests ----------------------------------------------
    client_id = DEMO_CLIENT.client_id
    client_secret = DEMO_CLIENT.client_secret
    redirect_uri = DEMO_CLIENT.redirect_uris[0]

    @property
    def clients(self) -> Dict[str, RegisteredClient]:
        return dict(self._registry)

    @property
    def sources(self) -> Tuple[Source, ...]:
        return self.app.sources

    def books(self, source: SourceLike) -> Books:
        """The books of a source's company (``.tenant_id``, ``.name``, ``.answer(...)``), to compare with
        what your code read."""
        return self.app.books[parse_source(source)]

    organisation = books  # the name of earlier releases

    def router(self, source: SourceLike) -> Router:
        """A router for ``source`` pointed at this sandbox."""
        return self.app.routers[Source(parse_source(source))]

    @property
    def deny_consent(self) -> bool:
        """When True, every sign-in is refused at consent: the authorize endpoint redirects back with
        ``error=access_denied`` (RFC 6749 4.1.2.1), as when a user clicks "Cancel" on Ledgerflow's
        consent screen — for testing an app's refusal path."""
        return self.app.identity.deny_consent

    @deny_consent.setter
    def deny_consent(self, value: bool) -> None:
        self.app.identity.deny_consent = bool(value)

    def api_client(self, source: SourceLike, *, scope: Sequence[str] = API_CLIENT_SCOPE) -> Tuple[ApiClient, str]:
        """Sign in to ``source`` as the demo client and return ``(ApiClient, tenant_id)``.

        The whole OAuth flow runs over HTTP against this sandbox (authorize with PKCE, consent,
        code exchange); the client keeps its tokens in a :class:`~ledgerflow_xero.TokenStore`
        (``client.token_store``), so refreshes work too::

            client, tenant_id = sandbox.api_client(1004)
            invoices = AccountingApi(client).get_invoices(tenant_id).invoices
        """
        from urllib.parse import parse_qs, urlsplit

        import urllib3
        from xero_python.api_client.oauth2 import OAuth2Token

        from .. import ApiClient, Configuration, TokenStore, authorization_url, exchange_code

        source = parse_source(source)
        login = authorization_url(self.client_id, self.redirect_uri, list(scope), source=source, host=self.base_url)
        consent = urllib3.PoolManager(retries=False).request("GET", login.url, redirect=False)
        query = {k: v[0] for k, v in parse_qs(urlsplit(consent.headers.get("Location", "")).query).items()}
        if "code" not in query:
            raise SandboxConfigError(f"sign-in to the sandbox was refused: {query.get('error', consent.status)}")
        tokens = exchange_code(
            query["code"],
            client_id=self.client_id,
            client_secret=self.client_secret,
            redirect_uri=self.redirect_uri,
            source=source,
            host=self.base_url,
            code_verifier=login.code_verifier,
            expected_state=login.state,
            returned_state=query.get("state"),
        )
        store = TokenStore(dict(tokens))
        client = ApiClient(
            Configuration(
                oauth2_token=OAuth2Token(client_id=self.client_id, client_secret=self.client_secret),
                source=source,
                host=self.base_url,
            ),
            pool_threads=1,
            oauth2_token_getter=store.get,
            oauth2_token_saver=store.save,
        )
        client.token_store = store  # pyright: ignore[reportAttributeAccessIssue] - for the caller's tests
        return client, self.books(source).tenant_id

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox's clock forward, to let its codes and tokens expire."""
        self.app.clock.advance(seconds)

    # --- lifecycle --------------------------------------------------------------------------------
    def start(self) -> Sandbox:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                name=f"ledgerflow-sandbox-{self.port}",
                kwargs={"poll_interval": 0.1},
                daemon=True,
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the CLI's mode)."""
        try:
            self._server.serve_forever(poll_interval=0.2)
        finally:
            self._server.server_close()
            self._server.close_open_connections()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()
        self._server.close_open_connections()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def describe(self) -> str:
        """The start-up banner: base URL, sources, clients (a secret only for the built-in demo client)."""
        lines = [f"Ledgerflow sandbox on {self.base_url} (seed {self.app.seed}, scale {self.app.scale})"]
        for source in self.sources:
            books = self.app.books[source]
            lines.append(
                f"  source {int(source)} ({Source(source).name}): {books.name}, "
                f"authorize {self.app.endpoints[source].authorize}"
            )
        lines.append("  tenant 'demo': the vendor's sample dataset, read-only, no sign-in needed")
        if self.app.identity.deny_consent:
            lines.append("  consent: every sign-in is refused (access_denied)")
        if self.app.accounting.forward_unserved:
            lines.append(f"  operations Ledgerflow does not serve go to {self.app.accounting.upstream}")
        for client in self._registry.values():
            secret = f", secret {client.client_secret}" if client == DEMO_CLIENT else ""
            lines.append(f"  client {client.client_id}{secret}, redirect URIs {', '.join(client.redirect_uris)}")
        return "\n".join(lines)


@contextlib.contextmanager
def running_sandbox(**options: Any) -> Iterator[Sandbox]:
    """Start a :class:`Sandbox` on a free loopback port for the ``with`` block; yields it.

    >>> with running_sandbox(seed=1) as sandbox:          # doctest: +SKIP
    ...     sandbox.base_url, sandbox.client_id, sandbox.client_secret, sandbox.redirect_uri
    """
    sandbox = Sandbox(**options)
    with sandbox:
        yield sandbox


__all__ = ["SANDBOX_SOURCES", "Sandbox", "running_sandbox"]
