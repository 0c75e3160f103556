"""The routing table: the one place that maps Xero URLs to Ledgerflow URLs.

Xero spreads its endpoints over ``login.xero.com``, ``identity.xero.com`` and
``api.xero.com``; Ledgerflow serves them all on one host, with the source system as the
first path segment. :data:`ROUTES` lists what Ledgerflow serves, :data:`UNSUPPORTED_APIS`
what it refuses on purpose; any other URL on a Xero host is refused too. Everything else
in the package (the client, the global patch, the OAuth helpers, the sandbox, the
upstream scanner) reads URLs from here.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import Dict, List, Optional, Tuple
from urllib.parse import unquote

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from .errors import InvalidHostError, RoutingError, UnsupportedApiError
from .sources import SourceLike, parse_source

DEFAULT_HOST = "https://xero.api.ledgerscope.com"
"""Ledgerflow's production host. The vendor also runs ``https://xero.api.ledgerscope.dev``."""

XERO_DOMAIN = "xero.com"


class _Record:
    """An immutable record compared by value: what ``@dataclass(frozen=True)`` gives, written
    out because building a dataclass costs ~0.6 ms of every program's import time here."""

    __slots__ = ()

    def _values(self) -> Tuple[str, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __reduce__(self) -> Tuple[object, ...]:
        return (type(self), self._values())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    __delattr__ = __setattr__  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Route(_Record):
    """One Xero endpoint (or URL prefix) that Ledgerflow serves.

    ``xero_url`` is matched as a prefix on path-segment boundaries; whatever follows it
    (sub-paths, query string) is carried over unchanged after ``ledgerflow_path``.
    """

    __slots__ = ("name", "xero_url", "ledgerflow_path")
    name: str
    xero_url: str
    ledgerflow_path: str

    def __init__(self, name: str, xero_url: str, ledgerflow_path: str) -> None:
        for field, value in zip(self.__slots__, (name, xero_url, ledgerflow_path)):
            object.__setattr__(self, field, value)


class UnsupportedApi(_Record):
    """A Xero API that Ledgerflow does not serve: calls to it are refused before any I/O."""

    __slots__ = ("name", "xero_url")
    name: str
    xero_url: str

    def __init__(self, name: str, xero_url: str) -> None:
        for field, value in zip(self.__slots__, (name, xero_url)):
            object.__setattr__(self, field, value)


ROUTES: Tuple[Route, ...] = (
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
)

UNSUPPORTED_APIS: Tuple[UnsupportedApi, ...] = (
    UnsupportedApi("payroll (AU)", "https://api.xero.com/payroll.xro/1.0"),
    UnsupportedApi("payroll (UK, NZ, AU v2)", "https://api.xero.com/payroll.xro/2.0"),
    UnsupportedApi("assets", "https://api.xero.com/assets.xro/1.0"),
    UnsupportedApi("files", "https://api.xero.com/files.xro/1.0"),
    UnsupportedApi("projects", "https://api.xero.com/projects.xro/2.0"),
    UnsupportedApi("finance", "https://api.xero.com/finance.xro/1.0"),
    UnsupportedApi("app store", "https://api.xero.com/appstore/2.0"),
    UnsupportedApi("bank feeds", "https://api.xero.com/bankfeeds.xro/1.0"),
)

XERO_URLS: Dict[str, str] = {route.name: route.xero_url for route in ROUTES}
"""Xero's own URL for each routed endpoint, by route name (``XERO_URLS["token"]``)."""

XERO_JWKS_URL = XERO_URLS["openid-configuration"] + "/jwks"

OAUTH_SERVER_METADATA_PATH = "/.well-known/oauth-authorization-server"
"""RFC 8414 metadata, which Ledgerflow answers below ``{host}/{source}`` and Xero does not."""

_ACCOUNTING = "accounting"
_WEB_SCHEMES = ("http", "https")
_LOOPBACK_NAMES = frozenset({"localhost"})
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_PATH_PREFIX = re.compile(r"(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*")
# urllib3 ends the authority at the first of these, so the guard must too.
_AUTHORITY_END = re.compile(r"[/\\?#]")
_FIRST_SEGMENT = re.compile(r"/?([^/?#]*)")
_MAX_CACHED_ORIGINS = 1024


def is_xero_host(hostname: str | None) -> bool:
    """True for ``xero.com`` and any name below it, whatever its case or trailing dot."""
    if not hostname:
        return False
    name = hostname.lower().rstrip(".")
    return name == XERO_DOMAIN or name.endswith("." + XERO_DOMAIN)


def _split_host_url(url: str) -> Tuple[str, str, str]:
    """Split an absolute ``url`` into (scheme, hostname, rest-of-authority-check) pieces."""
    scheme, sep, _ = url.partition("://")
    if not sep:
        return "", "", url
    start = len(scheme) + 3
    match = _AUTHORITY_END.search(url, start)
    end = match.start() if match else len(url)
    return scheme.lower(), url[start:end], url[end:]


def _host_of_authority(authority: str) -> str:
    host_port = authority.rpartition("@")[2]
    if host_port.startswith("["):
        return host_port[1 : host_port.find("]")] if "]" in host_port else host_port
    return host_port.partition(":")[0]


def url_targets_xero(url: str) -> bool:
    """True when ``url`` would reach a ``*.xero.com`` host, by our reading or urllib3's.

    Called on every request a routed client sends, so the verdict for the text before the
    URL's first path slash is cached, as :meth:`Router.route` does.
    """
    end = url.find("/", url.find("://") + 3)
    origin = url[:end] if end >= 0 else url
    verdict = _ORIGINS.get(origin) or _classify_origin(origin)
    if verdict is _FOREIGN:
        return False
    if verdict is not _ODD:
        return True
    return _url_targets_xero_carefully(url)


def _url_targets_xero_carefully(url: str) -> bool:
    scheme, authority, _ = _split_host_url(url)
    if scheme in _WEB_SCHEMES:
        return _origin_targets_xero((scheme, authority))
    return _odd_url_targets_xero(url)


def _odd_url_targets_xero(url: str) -> bool:
    """The slow path for URLs without ``http(s)://``: urllib3 reads ``api.xero.com/x`` or
    ``//api.xero.com/x`` as a host name, so ask it rather than guess."""
    try:
        return is_xero_host(parse_url(url).host)
    except (LocationParseError, ValueError):
        return False


@functools.lru_cache(maxsize=_MAX_CACHED_ORIGINS)
def _origin_targets_xero(origin: Tuple[str, str]) -> bool:
    scheme, authority = origin
    if is_xero_host(_host_of_authority(authority)):
        return True
    try:
        parsed_host = parse_url(f"{scheme}://{authority}/").host
    except (LocationParseError, ValueError):
        return False  # urllib3 cannot parse it, so it cannot send it either
    return is_xero_host(parsed_host)


def _describe(url: str) -> str:
    """The URL without its query string and fragment, for error messages."""
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    return url[:cut] + ("?…" if cut < len(url) else "")


def shown(value: object, limit: int = 100) -> str:
    """``value`` as an error message may show it: without URL user info, cut to ``limit``."""
    text = repr(value)
    if isinstance(value, str) and "@" in value:
        text = repr(re.sub(r"(?<=://)[^/?#]*@", "<user info>@", value))
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def validate_host(host: str) -> str:
    """Check a Ledgerflow host and return it normalised (lower-case, no trailing slash).

    Accepted: ``https://name[:port][/path]``, or ``http://`` for a loopback address
    (``localhost``, ``127.0.0.0/8``, ``::1``) so a local sandbox works. Refused with
    :class:`InvalidHostError`: anything else, user info, query strings, fragments, and
    Xero's own hosts (a client meant for Xero needs no Ledgerflow settings).
    """
    if not isinstance(host, str):
        raise InvalidHostError(f"Ledgerflow host must be a string URL, not {type(host).__name__}")
    expected = "expected https://name[:port][/path], or http:// on a loopback address"
    if host != host.strip() or any(ch.isspace() for ch in host):
        raise InvalidHostError(f"Ledgerflow host {shown(host)} contains white space; {expected}")
    scheme, authority, rest = _split_host_url(host)
    if scheme not in _WEB_SCHEMES or not authority:
        raise InvalidHostError(f"Ledgerflow host {shown(host)} is not an http(s) URL; {expected}")
    if "@" in authority:
        raise InvalidHostError(f"Ledgerflow host {shown(host)} must not contain user info; {expected}")
    if "?" in rest or "#" in rest or "\\" in rest:
        raise InvalidHostError(f"Ledgerflow host {shown(host)} must not have a query or fragment; {expected}")
    path = rest.rstrip("/")
    if not _PATH_PREFIX.fullmatch(path) or any(seg in (".", "..") for seg in unquote(path).split("/")):
        raise InvalidHostError(f"Ledgerflow host {shown(host)} has a malformed path; {expected}")
    hostname, port = _parse_authority(host, authority, expected)
    if is_xero_host(hostname):
        raise InvalidHostError(
            f"Ledgerflow host {shown(host)} is a Xero host; leave source and host unset to talk to Xero"
        )
    if scheme == "http" and not _is_loopback(hostname):
        raise InvalidHostError(f"Ledgerflow host {shown(host)} uses http on a non-loopback host; {expected}")
    shown_host = f"[{hostname}]" if ":" in hostname else hostname
    return f"{scheme}://{shown_host}{port}{path}"


def _parse_authority(host: str, authority: str, expected: str) -> Tuple[str, str]:
    authority = authority.lower()
    if authority.startswith("["):
        hostname, bracket, port_part = authority[1:].partition("]")
        try:
            ipaddress.IPv6Address(hostname)
        except ValueError:
            raise InvalidHostError(f"Ledgerflow host {shown(host)} has a malformed IPv6 address; {expected}") from None
        if not bracket:
            raise InvalidHostError(f"Ledgerflow host {shown(host)} has a malformed IPv6 address; {expected}")
    else:
        hostname, colon, port_number = authority.partition(":")
        port_part = colon + port_number
        labels = hostname.rstrip(".").split(".") if hostname else []
        if not labels or not all(_HOST_LABEL.fullmatch(label) for label in labels):
            raise InvalidHostError(f"Ledgerflow host {shown(host)} has a malformed host name; {expected}")
        hostname = hostname.rstrip(".")
    if port_part:
        digits = port_part[1:]
        if not port_part.startswith(":") or not (digits.isascii() and digits.isdigit()) or not 0 < int(digits) < 65536:
            raise InvalidHostError(f"Ledgerflow host {shown(host)} has a malformed port; {expected}")
        port_part = f":{int(digits)}"
    return hostname, port_part


def _is_loopback(hostname: str) -> bool:
    if hostname in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def _rebuild_router(source: int, host: str, source_in_accounting_path: bool, allow_unsupported_apis: bool) -> Router:
    return Router(source, host, source_in_accounting_path=source_in_accounting_path,
                  allow_unsupported_apis=allow_unsupported_apis, allow_unknown_source=True)


class Router:
    """The routing table bound to one source and host: maps Xero URLs for one client.

    Build it once per client (it precomputes every Ledgerflow prefix) and call
    :meth:`route` per request. Options:

    - ``source_in_accounting_path=False`` leaves the source segment off the accounting
      API path (``{host}/api.xro/2.0/...``), as one published vendor client does.
    - ``allow_unsupported_apis=True`` routes APIs Ledgerflow does not serve (payroll,
      assets, ...) by the same rule instead of refusing them, for trying them anyway.
    - ``allow_unknown_source=True`` accepts a source id Ledgerflow added after this release.
    """

    __slots__ = (
        "source",
        "host",
        "source_in_accounting_path",
        "allow_unsupported_apis",
        "_table",
        "_urls",
        "_fast_match",
        "_fast_targets",
    )

    def __init__(
        self,
        source: SourceLike,
        host: str = DEFAULT_HOST,
        *,
        source_in_accounting_path: bool = True,
        allow_unsupported_apis: bool = False,
        allow_unknown_source: bool = False,
    ) -> None:
        from ._validate import check_bool

        for name, value in (("source_in_accounting_path", source_in_accounting_path),
                            ("allow_unsupported_apis", allow_unsupported_apis),
                            ("allow_unknown_source", allow_unknown_source)):
            check_bool(name, value)
        self.source = parse_source(source, allow_unknown=allow_unknown_source)
        self.host = validate_host(host)
        self.source_in_accounting_path = source_in_accounting_path
        self.allow_unsupported_apis = allow_unsupported_apis
        base = f"{self.host}/{int(self.source)}"
        # Xero host name -> lower-case first path segment -> entries
        table: Dict[str, Dict[str, List[_Entry]]] = {}
        urls: Dict[str, str] = {}
        for route in ROUTES:
            if route.name == _ACCOUNTING and not source_in_accounting_path:
                target = self.host + route.ledgerflow_path
            else:
                target = base + route.ledgerflow_path
            urls[route.name] = target
            _add_entry(table, route.xero_url, target, None)
        for api in UNSUPPORTED_APIS:
            path = _split_host_url(api.xero_url)[2]
            _add_entry(table, api.xero_url, base + path if allow_unsupported_apis else None, api)
        self._table = table
        self._urls = urls
        pattern, group_routes = _fast_route_pattern()
        self._fast_match = pattern.match
        # group number -> (Ledgerflow prefix, length of the Xero prefix the group captured)
        self._fast_targets = ((),) + tuple(
            (urls[ROUTES[index].name], len(ROUTES[index].xero_url)) for index in group_routes
        )

    def __repr__(self) -> str:
        return f"Router(source={int(self.source)}, host={self.host!r})"

    # Picklable and copyable (a process pool, copy.deepcopy of a Configuration): rebuilt
    # from its settings; the source was validated when this one was built.
    def _settings(self) -> Tuple[int, str, bool, bool]:
        return (int(self.source), self.host, self.source_in_accounting_path, self.allow_unsupported_apis)

    def __reduce__(self) -> Tuple[object, ...]:
        return (_rebuild_router, self._settings())

    def __copy__(self) -> Router:
        return self

    def __deepcopy__(self, memo: Dict[int, object]) -> Router:
        return self

    def __eq__(self, other: object) -> bool:
        return self._settings() == other._settings() if isinstance(other, Router) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._settings())

    def url_for(self, name: str) -> str:
        """The Ledgerflow URL of a routed endpoint by its route name (``"token"``, ...)."""
        try:
            return self._urls[name]
        except KeyError:
            raise RoutingError(f"no route named {name!r}; known routes: {', '.join(self._urls)}") from None

    def route(self, url: str) -> str:
        """Return ``url`` mapped to Ledgerflow, or unchanged when it is not on a Xero host.

        Raises :class:`UnsupportedApiError` for a Xero API Ledgerflow does not serve and
        :class:`RoutingError` for any other Xero URL the table does not map. Everything
        after the matched prefix (sub-path, query string, fragment) is kept byte for byte.
        """
        try:
            fast = self._fast_match(url)
        except TypeError:
            raise RoutingError(f"url={shown(url)}: expected a URL string, not {type(url).__name__}") from None
        if fast is not None:
            target, size = self._fast_targets[fast.lastindex]
            return target + url[size:]
        end = url.find("/", url.find("://") + 3)
        if end < 0:
            end = len(url)
        hostname = _ORIGINS.get(url[:end]) or _classify_origin(url[:end])
        if hostname is _FOREIGN:
            return url
        if hostname is _ODD:
            return self._route_odd(url)
        return self._match(url, hostname, url[end:])

    def _route_odd(self, url: str) -> str:
        """The slow path: URLs whose authority is unusual, read the way urllib3 reads them."""
        scheme, authority, rest = _split_host_url(url)
        if scheme not in _WEB_SCHEMES:
            if _odd_url_targets_xero(url):
                raise RoutingError(f"refusing Xero URL {_describe(url)!r}: not an absolute http(s) URL")
            return url
        if not _origin_targets_xero((scheme, authority)):
            return url
        if "@" in authority:
            raise RoutingError(f"refusing Xero URL {_describe(url)!r}: it carries user info")
        return self._match(url, _host_of_authority(authority).lower().rstrip("."), rest)

    def _match(self, url: str, hostname: str, rest: str) -> str:
        by_segment = self._table.get(hostname)
        if by_segment:
            slash = rest.find("/", 1)
            segment = rest[1:slash] if slash > 0 else rest[1:]
            entries = by_segment.get(segment) or by_segment.get(segment.lower())
            if entries is None:  # the segment may run into a query or fragment: cut it properly
                entries = by_segment.get(_FIRST_SEGMENT.match(rest).group(1).lower(), ())
            for prefix, size, target, api in entries:
                if (rest.startswith(prefix) or (rest[:size].isascii() and rest[:size].lower() == prefix)) and (
                    len(rest) == size or rest[size] in "/?#"
                ):
                    remainder = rest[size:]
                    if "." in remainder or "%" in remainder or "\\" in remainder:
                        _check_sub_path(url, remainder)
                    if target is None:
                        raise _unsupported(url, api)
                    return target + remainder
        raise RoutingError(
            f"no Ledgerflow route for Xero URL {_describe(url)!r}; routed prefixes are: "
            + ", ".join(route.xero_url for route in ROUTES)
        )


def _unsupported(url: str, api: UnsupportedApi | None) -> UnsupportedApiError:
    name = api.name if api else "unknown"
    return UnsupportedApiError(
        f"Ledgerflow does not serve the Xero {name} API ({_describe(url)!r}); it serves the "
        "accounting API (api.xro/2.0) and identity (connections, token, revocation). "
        "Pass allow_unsupported_apis=True to try it anyway.",
        api=name,
    )


# (lower-case Xero path prefix, its length, Ledgerflow prefix or None when refused, refusal)
_Entry = Tuple[str, int, Optional[str], Optional[UnsupportedApi]]


def _add_entry(
    table: Dict[str, Dict[str, List[_Entry]]], xero_url: str, target: str | None, api: UnsupportedApi | None
) -> None:
    _, hostname, path = _split_host_url(xero_url)
    first_segment = path.split("/")[1].lower()
    table.setdefault(hostname, {}).setdefault(first_segment, []).append((path.lower(), len(path), target, api))


@functools.lru_cache(maxsize=1)
def _fast_route_pattern() -> Tuple[re.Pattern[str], Tuple[int, ...]]:
    """The fast path of :meth:`Router.route`, built from :data:`ROUTES` on first use (not at import).

    One regular expression recognises, in a single C-level match, the case ``route`` would
    route without question: a URL that starts with a routed Xero prefix (ASCII
    case-insensitive, otherwise exactly as the table writes it: no port, user info or
    trailing dot), ends there or continues with ``/``, ``?`` or ``#``, and has no ``.``,
    ``%`` or backslash in the rest of its path (so no dot segment, encoded or not). Anything
    else takes the careful path, which this only ever agrees with. Alternatives are grouped
    by origin so a URL is compared with each host once. Returns the pattern and, for each
    capturing group, the index in :data:`ROUTES` of the prefix it captures.
    """
    by_origin: Dict[str, List[Tuple[int, str]]] = {}
    for index, route in enumerate(ROUTES):
        scheme, authority, path = _split_host_url(route.xero_url)
        by_origin.setdefault(f"{scheme}://{authority}", []).append((index, path))
    alternatives = []
    group_routes: List[int] = []
    for origin, paths in by_origin.items():
        alternatives.append(re.escape(origin) + "(?:" + "|".join(f"({re.escape(path)})" for _, path in paths) + ")")
        group_routes.extend(index for index, _ in paths)
    pattern = re.compile(
        "(?:" + "|".join(alternatives) + r")(?=[/?#]|\Z)[^?#.%\\]*(?:[?#]|\Z)", re.IGNORECASE | re.ASCII
    )
    return pattern, tuple(group_routes)


# Origin ("scheme://authority") -> Xero host name, or one of these two markers.
_FOREIGN = "<not a Xero host>"
_ODD = "<needs the careful parse>"
_ORIGINS: Dict[str, str] = {}


def _classify_origin(origin: str) -> str:
    """Classify (and cache) the text before a URL's first path slash."""
    scheme, authority, rest = _split_host_url(origin)
    if scheme not in _WEB_SCHEMES or rest or "@" in authority:
        verdict = _ODD if _url_targets_xero_carefully(origin) or scheme not in _WEB_SCHEMES else _FOREIGN
    elif _origin_targets_xero((scheme, authority)):
        verdict = _host_of_authority(authority).lower().rstrip(".")
    else:
        verdict = _FOREIGN
    if len(_ORIGINS) < _MAX_CACHED_ORIGINS:
        _ORIGINS[origin] = verdict
    return verdict


def _check_sub_path(url: str, remainder: str) -> None:
    """Refuse dot segments and backslashes, which could climb out of the source segment."""
    sub_path = remainder.split("?", 1)[0].split("#", 1)[0]
    segments = unquote(sub_path).replace("\\", "/").split("/")
    if "\\" in sub_path or any(segment in (".", "..") for segment in segments):
        raise RoutingError(f"refusing Xero URL {_describe(url)!r}: dot segments or backslashes in its path")


@functools.lru_cache(maxsize=64, typed=True)
def get_router(
    source: SourceLike,
    host: str = DEFAULT_HOST,
    *,
    source_in_accounting_path: bool = True,
    allow_unsupported_apis: bool = False,
    allow_unknown_source: bool = False,
) -> Router:
    """A shared :class:`Router` for these settings, built once and cached."""
    return Router(
        source,
        host,
        source_in_accounting_path=source_in_accounting_path,
        allow_unsupported_apis=allow_unsupported_apis,
        allow_unknown_source=allow_unknown_source,
    )


def route(
    url: str,
    source: SourceLike,
    host: str = DEFAULT_HOST,
    *,
    source_in_accounting_path: bool = True,
    allow_unsupported_apis: bool = False,
    allow_unknown_source: bool = False,
) -> str:
    """Map one Xero URL to Ledgerflow for ``source`` on ``host``; see :meth:`Router.route`.

    >>> route("https://api.xero.com/api.xro/2.0/Invoices?page=2", 1004)
    'https://xero.api.ledgerscope.com/1004/api.xro/2.0/Invoices?page=2'
    """
    try:
        router = get_router(
            source,
            host,
            source_in_accounting_path=source_in_accounting_path,
            allow_unsupported_apis=allow_unsupported_apis,
            allow_unknown_source=allow_unknown_source,
        )
    except TypeError:  # an unhashable source or host: let the Router name the bad value
        router = Router(
            source,
            host,
            source_in_accounting_path=source_in_accounting_path,
            allow_unsupported_apis=allow_unsupported_apis,
            allow_unknown_source=allow_unknown_source,
        )
    return router.route(url)
