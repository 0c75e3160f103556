"""The sandbox application: maps request paths to handlers, every path taken from the routing table.

For each source the sandbox builds a :class:`~ledgerflow_xero.routing.Router` on its own base
URL and serves exactly the paths that router sends requests to (``url_for`` per route name,
``route(XERO_JWKS_URL)`` for the signing keys), so the sandbox and the client can never
disagree about a path. Matching is case-insensitive, as Xero's and Ledgerflow's servers are.
"""

from __future__ import annotations

import random
import secrets
import uuid
from typing import Callable, Dict, Iterable, List, Tuple
from urllib.parse import urlsplit

from ..routing import OAUTH_SERVER_METADATA_PATH, ROUTES, XERO_JWKS_URL, Router
from ..sources import Source
from .accounting import Accounting, Books
from .authority import ACCESS_TOKEN_LIFETIME, CODE_LIFETIME, Authority, Clock
from .books import build_books, build_demo_books
from .clients import RegisteredClient
from .identity import Identity, SourceEndpoints
from .wire import Request, Response, problem

SANDBOX_SOURCES: Tuple[Source, ...] = tuple(Source)
_LEDGERFLOW_PATHS = {route.name: route.ledgerflow_path for route in ROUTES}

Handler = Callable[[Request, int], Response]


def _path(url: str) -> str:
    return urlsplit(url).path.lower()


def identity_base(router: Router) -> str:
    """``{host}/{source}``: the token URL minus the token route's own path. It is the issuer."""
    token_url = router.url_for("token")
    return token_url[: len(token_url) - len(_LEDGERFLOW_PATHS["token"])]


class SandboxApp:
    """All state and request handling of one sandbox, independent of the HTTP server."""

    def __init__(
        self,
        base_url: str,
        clients: Dict[str, RegisteredClient],
        *,
        seed: int | None = None,
        scale: int = 1,
        accounting_upstream: str | None = None,
        forward_unserved: bool = False,
        sources: Iterable[Source] = SANDBOX_SOURCES,
        signing_key: object = None,
        access_token_lifetime: int = ACCESS_TOKEN_LIFETIME,
        code_lifetime: int = CODE_LIFETIME,
    ) -> None:
        self.base_url = base_url
        self.clients = clients
        self.sources = tuple(sources)
        self.seed = seed if seed is not None else secrets.randbits(31)  # no seed: new ids on every start
        self.scale = scale
        id_random = random.Random(self.seed)
        self.routers = {source: Router(source, base_url) for source in self.sources}
        self.books: Dict[int, Books] = {s: build_books(s, seed=self.seed, scale=scale) for s in self.sources}
        endpoints: Dict[int, SourceEndpoints] = {
            source: SourceEndpoints(
                issuer=identity_base(router),
                authorize=router.url_for("authorize"),
                token=router.url_for("token"),
                revocation=router.url_for("revocation"),
                jwks=router.route(XERO_JWKS_URL),
                connections=router.url_for("connections"),
            )
            for source, router in self.routers.items()
        }
        self.clock = Clock()
        self.authority = Authority(
            {s: e.issuer for s, e in endpoints.items()},
            {s: (b.tenant_id, b.name) for s, b in self.books.items()},
            signing_key=signing_key,  # type: ignore[arg-type]
            clock=self.clock,
            id_factory=lambda: _uuid(id_random),
            access_token_lifetime=access_token_lifetime,
            code_lifetime=code_lifetime,
        )
        self.identity = Identity(self.authority, clients, endpoints)
        self.accounting = Accounting(
            self.authority,
            self.books,
            accounting_upstream,
            forward_unserved=forward_unserved,
            demo_books=build_demo_books,
        )
        self.endpoints = endpoints
        self._exact: Dict[str, Tuple[Handler, int, str]] = {}
        self._prefixes: List[Tuple[str, str, int | None]] = []
        for source, router in self.routers.items():
            urls = endpoints[source]
            issuer_path = _path(urls.issuer)
            self._exact.update(
                {
                    _path(urls.authorize): (self.identity.authorize, source, "GET"),
                    _path(urls.token): (self.identity.token, source, "POST"),
                    _path(urls.revocation): (self.identity.revocation, source, "POST"),
                    _path(router.url_for("openid-configuration")): (self.identity.openid_configuration, source, "GET"),
                    _path(urls.jwks): (self.identity.jwks, source, "GET"),
                    issuer_path + OAUTH_SERVER_METADATA_PATH: (self.identity.oauth_server_metadata, source, "GET"),
                    # RFC 8414's own location for an issuer with a path
                    OAUTH_SERVER_METADATA_PATH + issuer_path: (self.identity.oauth_server_metadata, source, "GET"),
                }
            )
            self._prefixes.append((_path(urls.connections), "connections", source))
            self._prefixes.append((_path(router.url_for("accounting")), "accounting", source))
        # A client built with source_in_accounting_path=False: the token says which source.
        sourceless = Router(self.sources[0], base_url, source_in_accounting_path=False)
        self._prefixes.append((_path(sourceless.url_for("accounting")), "accounting", None))
        self._source_segments = {_path(identity_base(r)): s for s, r in self.routers.items()}

    def handle(self, request: Request) -> Response:
        """Answer one request; never raises for bad input."""
        path = request.path.rstrip("/") or "/"
        lowered = path.lower()
        exact = self._exact.get(lowered)
        if exact:
            handler, exact_source, method = exact
            if request.method != method and not (method == "GET" and request.method == "HEAD"):
                return problem(405, f"use {method} on this endpoint", Allow=method)
            return handler(request, exact_source)
        for prefix, kind, source in self._prefixes:
            if lowered == prefix or lowered.startswith(prefix + "/"):
                remainder = path[len(prefix) :]
                if kind == "connections":
                    assert source is not None
                    return self.identity.connections(request, source, remainder.strip("/") or None)
                parts = remainder.strip("/").split("/")
                if source is not None and parts[0].lower() == "connections" and len(parts) <= 2:
                    # The delta copies /Connections into the accounting spec: the same endpoint, answered there too.
                    return self.identity.connections(request, source, parts[1] if len(parts) == 2 else None)
                return self.accounting.handle(request, source, remainder)
        first = "/" + lowered.split("/")[1] if lowered != "/" else "/"
        if first in self._source_segments:
            return problem(404, f"Ledgerflow serves no endpoint at {path} for this source")
        served = ", ".join(str(int(s)) for s in self.sources)
        return problem(404, f"unknown source {first.lstrip('/')!r}; this sandbox serves sources {served}")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
