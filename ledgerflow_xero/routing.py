"""The routing table: the one place that maps Xero URLs to Ledgerflow URLs and says where a
routed client may send.

Xero spreads its endpoints over ``login.xero.com``, ``identity.xero.com`` and
``api.xero.com``; Ledgerflow serves them all on one host, with the source system as the first
path segment. :data:`TABLE` lists every Xero URL prefix this package knows: the ones Ledgerflow
serves and the APIs it refuses on purpose. Any other URL on a Xero host is refused too. A routed
client sends only to its Ledgerflow host, loopback addresses and the hosts its user allows
(:meth:`Router.check_destination`). Everything else in the package asks this module.
"""

# pyright: reportUnnecessaryIsInstance=false
# (public entry points check argument types at run time: their callers are often untyped)

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Dict, List, Tuple

from .errors import (
    HostNotAllowedError,
    InvalidArgumentError,
    InvalidHostError,
    RoutingError,
    UnsupportedApiError,
    shorten,
)
from .sources import SourceLike, parse_source
from .urls import (
    XERO_DOMAIN,
    describe,
    has_dot_segments,
    is_loopback,
    is_xero_host,
    normalise_host,
    read_authority,
    read_url,
    split_url,
    validate_allowed_host,
    validate_host,
)

DEFAULT_HOST = "https://xero.api.ledgerscope.com"
"""Ledgerflow's production host. The vendor also runs ``https://xero.api.ledgerscope.dev``."""


@dataclass(frozen=True)
class Route:
    """One Xero URL prefix. ``served`` rows are sent to ``{host}/{source}{ledgerflow_path}``
    with whatever follows the prefix kept byte for byte; the others are APIs Ledgerflow does
    not serve, refused unless the client opts in (then routed by the same rule)."""

    name: str
    xero_url: str
    ledgerflow_path: str
    served: bool = True


TABLE: Tuple[Route, ...] = (
    Route("authorize", "https://login.xero.com/identity/connect/authorize", "/identity/connect/authorize"),
    Route("token", "https://identity.xero.com/connect/token", "/connect/token"),
    Route("revocation", "https://identity.xero.com/connect/revocation", "/connect/revocation"),
    # Also covers the signing keys below it: .../openid-configuration/jwks
    Route(
        "openid-configuration",
        "https://identity.xero.com/.well-known/openid-configuration",
        "/.well-known/openid-configuration",
    ),
    # xero-python's IdentityApi writes /Connections; Ledgerflow documents /connections.
    Route("connections", "https://api.xero.com/connections", "/connections"),
    Route("accounting", "https://api.xero.com/api.xro/2.0", "/api.xro/2.0"),
    Route("payroll (AU)", "https://api.xero.com/payroll.xro/1.0", "/payroll.xro/1.0", served=False),
    Route("payroll (UK, NZ, AU v2)", "https://api.xero.com/payroll.xro/2.0", "/payroll.xro/2.0", served=False),
    Route("assets", "https://api.xero.com/assets.xro/1.0", "/assets.xro/1.0", served=False),
    Route("files", "https://api.xero.com/files.xro/1.0", "/files.xro/1.0", served=False),
    Route("projects", "https://api.xero.com/projects.xro/2.0", "/projects.xro/2.0", served=False),
    Route("finance", "https://api.xero.com/finance.xro/1.0", "/finance.xro/1.0", served=False),
    Route("app store", "https://api.xero.com/appstore/2.0", "/appstore/2.0", served=False),
    Route("bank feeds", "https://api.xero.com/bankfeeds.xro/1.0", "/bankfeeds.xro/1.0", served=False),
)

DESTINATION_CACHE_SIZE = 1024
"""How many URLs each :class:`Router` remembers the destination of."""

ROUTES: Tuple[Route, ...] = tuple(route for route in TABLE if route.served)
UNSUPPORTED_APIS: Tuple[Route, ...] = tuple(route for route in TABLE if not route.served)
XERO_URLS: Dict[str, str] = {route.name: route.xero_url for route in ROUTES}
"""Xero's own URL for each served endpoint, by route name (``XERO_URLS["token"]``)."""
XERO_JWKS_URL = XERO_URLS["openid-configuration"] + "/jwks"
OAUTH_SERVER_METADATA_PATH = "/.well-known/oauth-authorization-server"
"""RFC 8414 metadata, which Ledgerflow answers below ``{host}/{source}`` and Xero does not."""

class Router:
    """The routing table bound to one client's settings: where its Xero URLs go, and where
    it may send at all.

    - ``source_in_accounting_path=False`` leaves the source segment off the accounting API
      path (``{host}/api.xro/2.0/...``), as one published vendor client does.
    - ``allow_unsupported_apis=True`` routes the APIs Ledgerflow does not serve (payroll,
      assets, ...) by the same rule instead of refusing them.
    - ``allow_unknown_source=True`` accepts a source id Ledgerflow added after this release.
    - ``allowed_hosts`` names hosts besides the Ledgerflow host and loopback that this client
      may send to (a mock on another machine, say).

    Immutable: configurations with the same settings share one router (:func:`get_router`),
    and it remembers the destinations it has worked out.
    """

    def __init__(
        self,
        source: SourceLike,
        host: str = DEFAULT_HOST,
        *,
        source_in_accounting_path: bool = True,
        allow_unsupported_apis: bool = False,
        allow_unknown_source: bool = False,
        allowed_hosts: Tuple[str, ...] = (),
    ) -> None:
        for name, value in (
            ("source_in_accounting_path", source_in_accounting_path),
            ("allow_unsupported_apis", allow_unsupported_apis),
            ("allow_unknown_source", allow_unknown_source),
        ):
            if not isinstance(value, bool):
                raise InvalidArgumentError(f"{name} must be True or False, not {shorten(repr(value))}")
        if isinstance(allowed_hosts, str) or not isinstance(allowed_hosts, (tuple, list, frozenset, set)):
            raise InvalidHostError(f"allowed_hosts must be a tuple of host names, not {shorten(repr(allowed_hosts))}")
        self.source = parse_source(source, allow_unknown=allow_unknown_source)
        self.host = validate_host(host)
        self.source_in_accounting_path = source_in_accounting_path
        self.allow_unsupported_apis = allow_unsupported_apis
        self.allowed_hosts = tuple(sorted({validate_allowed_host(name) for name in allowed_hosts}))
        self._own_host = read_url(self.host).host
        # The same few endpoint URLs come back on almost every request (xero-python sends query
        # strings as separate fields), so each one is mapped once; refusals are not cached.
        self._destinations = functools.lru_cache(maxsize=DESTINATION_CACHE_SIZE)(self._destination)
        self._urls = {route.name: self._target(route) for route in TABLE}
        self.accounting_url = self._urls["accounting"]
        """The Ledgerflow URL of the accounting API (``/api.xro/2.0``)."""
        # (Xero host, first path segment) -> [(lower-case Xero path prefix, route)], longest first
        self._prefixes: Dict[Tuple[str, str], List[Tuple[str, Route]]] = {}
        for route in sorted(TABLE, key=lambda r: -len(r.xero_url)):
            xero = read_url(route.xero_url)
            key = (xero.host or "", xero.path.split("/")[1].lower())
            self._prefixes.setdefault(key, []).append((xero.path.lower(), route))
        self._frozen = True

    def __setattr__(self, name: str, value: object) -> None:
        if vars(self).get("_frozen"):
            raise AttributeError(f"Router is immutable (shared by every configuration with its settings); "
                                 f"build another with the {name} you want")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Router is immutable")

    def _target(self, route: Route) -> str:
        if route.name == "accounting" and not self.source_in_accounting_path:
            return self.host + route.ledgerflow_path
        return f"{self.host}/{int(self.source)}{route.ledgerflow_path}"

    def __getstate__(self) -> Dict[str, object]:
        return {name: value for name, value in vars(self).items() if name != "_destinations"}

    def __setstate__(self, state: Dict[str, object]) -> None:
        vars(self).update(state)
        vars(self)["_destinations"] = functools.lru_cache(maxsize=DESTINATION_CACHE_SIZE)(self._destination)

    def __repr__(self) -> str:
        return f"Router(source={int(self.source)}, host={self.host!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Router) and self._settings() == other._settings()

    def __hash__(self) -> int:
        return hash(self._settings())

    def _settings(self) -> Tuple[object, ...]:
        return (int(self.source), self.host, self.source_in_accounting_path, self.allow_unsupported_apis,
                self.allowed_hosts)

    def url_for(self, name: str) -> str:
        """The Ledgerflow URL of an endpoint by its route name (``"token"``, ...)."""
        if name in self._urls and (self.allow_unsupported_apis or name in XERO_URLS):
            return self._urls[name]
        raise RoutingError(f"no route named {shorten(repr(name))}; known routes: {', '.join(XERO_URLS)}")

    def route(self, url: str) -> str:
        """Return ``url`` mapped to Ledgerflow, or unchanged when it is not on a Xero host.

        Raises :class:`UnsupportedApiError` for a Xero API Ledgerflow does not serve and
        :class:`RoutingError` for any other Xero URL the table does not map. Everything after
        the matched prefix (sub-path, query string, fragment) is kept byte for byte.
        """
        return self._map(url, check_host=False)

    def destination(self, url: str) -> str:
        """Where a routed client sends ``url``: :meth:`route`'s answer, which must be on this
        client's allowlist (:meth:`check_destination`) — a Xero URL always maps onto the
        Ledgerflow host; any other URL is checked as it is. The answers for the last
        :data:`DESTINATION_CACHE_SIZE` URLs are remembered; a refusal is raised afresh each time."""
        if type(url) is not str:
            return self._map(url, check_host=True)  # raises, naming the bad value
        return self._destinations(url)

    def _destination(self, url: str) -> str:
        return self._map(url, check_host=True)

    def _map(self, url: str, check_host: bool) -> str:
        scheme, authority, path, rest = split_url(url)
        host = read_authority(authority)[0] if authority is not None else None
        if not is_xero_host(host):
            if check_host:
                self.check_destination(host, scheme)
            return url
        if scheme is None or scheme.lower() not in ("http", "https"):
            raise RoutingError(f"refusing Xero URL {describe(url)!r}: not an absolute http(s) URL")
        if "@" in authority:  # type: ignore[operator]  # a Xero host has an authority
            raise RoutingError(f"refusing Xero URL {describe(url)!r}: it carries user info")
        if not authority.isascii():  # type: ignore[union-attr]
            raise RoutingError(f"refusing Xero URL {describe(url)!r}: a look-alike (non-ASCII) spelling of a Xero host")
        if has_dot_segments(path):
            raise RoutingError(f"refusing Xero URL {describe(url)!r}: dot segments or backslashes in its path")
        first_segment = path.split("/", 2)[1] if path.startswith("/") else ""
        for prefix, route in self._prefixes.get((host or "", first_segment.lower()), []):
            head = path[: len(prefix)]
            if head.isascii() and head.lower() == prefix and path[len(prefix) : len(prefix) + 1] in ("", "/"):
                if not (route.served or self.allow_unsupported_apis):
                    raise UnsupportedApiError(
                        f"Ledgerflow does not serve the Xero {route.name} API ({describe(url)!r}); it serves the "
                        "accounting API (api.xro/2.0) and identity (connections, token, revocation). "
                        "Pass allow_unsupported_apis=True to try it anyway.",
                        api=route.name,
                    )
                return self._urls[route.name] + path[len(prefix) :] + rest
        raise RoutingError(
            f"no Ledgerflow route for Xero URL {describe(url)!r}; routed prefixes are: "
            + ", ".join(route.xero_url for route in ROUTES)
        )

    def check_destination(self, host: str | None, scheme: str | None = "https") -> None:
        """Raise :class:`HostNotAllowedError` unless this client may send to ``host``: its
        Ledgerflow host (over https unless it is loopback), a loopback address, or one of
        ``allowed_hosts``. Called with the host urllib3 is about to connect to, before any
        DNS lookup."""
        if host == self._own_host and scheme == "https":
            return  # the common case: exactly the (normalised) Ledgerflow host
        name = normalise_host(host) if host else ""
        if name and (is_loopback(name) or name in self.allowed_hosts):
            return
        if name and name == self._own_host and (scheme or "http").lower() == "https":
            return
        why = "it is a Xero host" if is_xero_host(name) else "it is not in this client's allowlist"
        if name == self._own_host:
            why = "plain http would carry the token in clear"
        raise HostNotAllowedError(
            f"refusing to send to {shorten(name or 'a URL without a host')!r} ({why}): a Ledgerflow client sends "
            f"only to its Ledgerflow host {self._own_host!r}, loopback addresses and allowed_hosts "
            f"{list(self.allowed_hosts)}",
            host=name,
        )


@functools.lru_cache(maxsize=64, typed=True)
def get_router(source: SourceLike, host: str = DEFAULT_HOST, **options: object) -> Router:
    """A shared :class:`Router` for these settings, built once and cached."""
    return Router(source, host, **options)  # type: ignore[arg-type]


def router_for(source: SourceLike, host: str = DEFAULT_HOST, **options: object) -> Router:
    """:func:`get_router`, or a fresh :class:`Router` (which names the bad value) when a setting
    is unhashable."""
    try:
        return get_router(source, host, **options)
    except TypeError:
        return Router(source, host, **options)  # type: ignore[arg-type]


def route(url: str, source: SourceLike, host: str = DEFAULT_HOST, **options: object) -> str:
    """Map one Xero URL to Ledgerflow for ``source`` on ``host``; see :meth:`Router.route`.

    >>> route("https://api.xero.com/api.xro/2.0/Invoices?page=2", 1004)
    'https://xero.api.ledgerscope.com/1004/api.xro/2.0/Invoices?page=2'
    """
    return router_for(source, host, **options).route(url)


__all__ = [
    "DEFAULT_HOST",
    "OAUTH_SERVER_METADATA_PATH",
    "ROUTES",
    "TABLE",
    "UNSUPPORTED_APIS",
    "XERO_DOMAIN",
    "XERO_JWKS_URL",
    "XERO_URLS",
    "Route",
    "Router",
    "describe",
    "get_router",
    "is_loopback",
    "is_xero_host",
    "normalise_host",
    "read_url",
    "route",
    "router_for",
    "validate_host",
]
