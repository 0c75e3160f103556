"""Reading URLs and host names the way urllib3 sends them and the resolver looks them up.

:mod:`ledgerflow_xero.routing` decides where a URL goes; this module only reads: it splits a
URL by urllib3's rule, normalises host names (case, IDNA, trailing dot), tells Xero and
loopback hosts apart, validates the Ledgerflow host a user configures, and shows URLs in
messages without their secrets.
"""

# pyright: reportUnnecessaryIsInstance=false
# (public entry points check argument types at run time: their callers are often untyped)

from __future__ import annotations

import functools
import ipaddress
import re
from typing import NamedTuple, Tuple
from urllib.parse import unquote

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from .errors import InvalidHostError, RoutingError, shorten

XERO_DOMAIN = "xero.com"

_WEB_SCHEMES = ("http", "https")
# urllib3's split of a URL: a URL that starts with neither "scheme:" nor "/" is read as
# "//" + url (a host first), and the authority ends at the first / \ ? or #.
_HAS_SCHEME_OR_SLASH = re.compile(r"[a-zA-Z][a-zA-Z0-9+-]*:|/")
_URL = re.compile(r"(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?://([^/\\?#]*))?([^?#]*)(.*)", re.DOTALL)
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_PATH = re.compile(r"(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*")


class UrlParts(NamedTuple):
    """A URL split the way urllib3 reads it. ``host`` is normalised (lower case, IDNA, no
    trailing dot or brackets) and None when there is none; ``authority`` (which may hold user
    info: never show it), ``path`` and ``rest`` (query and fragment with their ``?``/``#``)
    are the URL's own text."""

    scheme: str | None
    authority: str
    host: str | None
    port: int | None
    path: str
    rest: str


@functools.lru_cache(maxsize=1024)
def normalise_host(host: str) -> str:
    """A host name as it is resolved: lower case, IDNA-encoded the way the standard library
    encodes it (so ``api。xero。com`` and soft-hyphenated spellings become ``api.xero.com``),
    without a trailing dot, IPv6 brackets or any user info."""
    name = host.rpartition("@")[2].strip("[]").lower()
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            pass
    return name.rstrip(".")


def split_url(url: str) -> Tuple[str | None, str | None, str, str]:
    """``url`` split the way urllib3 splits the URLs it sends: (scheme as written or None,
    authority or None, path, query and fragment with their ``?``/``#``)."""
    if not isinstance(url, str):
        raise RoutingError(f"url={shorten(repr(url))}: expected a URL string, not {type(url).__name__}")
    if not (url.startswith(("https://", "http://")) or _HAS_SCHEME_OR_SLASH.match(url)):
        url = "//" + url
    match = _URL.match(url)
    assert match is not None  # every group is optional: the pattern matches any string
    return match.groups()  # type: ignore[return-value]


def read_url(url: str) -> UrlParts:
    """:func:`split_url`, with the host and port read by urllib3's own parser."""
    scheme, authority, path, rest = split_url(url)
    host, port = read_authority(authority) if authority is not None else (None, None)
    return UrlParts(scheme and scheme.lower(), authority or "", host, port, path, rest)


@functools.lru_cache(maxsize=256)
def read_authority(authority: str) -> Tuple[str | None, int | None]:
    """The normalised host (None when empty) and port of a URL's authority, read by urllib3's
    parser; cached per authority (the same few come back on every request)."""
    try:
        parsed = parse_url("//" + authority)
    except LocationParseError:
        # urllib3 cannot send it (a Unicode name without the idna package, a bad port), but
        # the name is still judged by what the standard library would resolve it to.
        host_port = authority.rpartition("@")[2]
        raw_host = host_port if host_port.startswith("[") else host_port.partition(":")[0]
        return normalise_host(raw_host) or None, None
    return (normalise_host(parsed.host) if parsed.host else None), parsed.port


def without_user_info(url: str) -> str:
    """``url`` with any user info in its authority replaced by ``***``."""
    scheme, authority, path, rest = _URL.fullmatch(url).groups()  # type: ignore[union-attr]
    if not authority or "@" not in authority:
        return url
    return f"{scheme + ':' if scheme else ''}//***@{authority.rpartition('@')[2]}{path}{rest}"


def describe(url: str) -> str:
    """``url`` as error messages and logs show it: no user info, query or fragment, cut short."""
    parts = read_url(url)
    port = f":{parts.port}" if parts.port else ""
    host = f"[{parts.host}]" if parts.host and ":" in parts.host else parts.host or ""
    origin = f"{parts.scheme + ':' if parts.scheme else ''}//{host}{port}" if parts.host else ""
    return shorten(origin + parts.path + ("?…" if parts.rest else ""))


@functools.lru_cache(maxsize=1024)
def is_xero_host(hostname: str | None) -> bool:
    """True for ``xero.com`` and any name below it, however it is spelled."""
    if not hostname:
        return False
    name = normalise_host(hostname)
    return name == XERO_DOMAIN or name.endswith("." + XERO_DOMAIN)


@functools.lru_cache(maxsize=1024)
def is_loopback(hostname: str) -> bool:
    """True for ``localhost`` and loopback addresses (``127.0.0.0/8``, ``::1``)."""
    name = normalise_host(hostname)
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def has_dot_segments(path: str) -> bool:
    """True when ``path`` has a ``.``/``..`` segment (percent-encoded or not) or a backslash:
    a path that could climb out of the ``/{source}`` prefix."""
    if "%" not in path and "\\" not in path and "/." not in path and not path.startswith("."):
        return False  # no segment can start with a dot, so none is "." or ".."
    return "\\" in path or any(segment in (".", "..") for segment in unquote(path).replace("\\", "/").split("/"))


def validate_host(host: str) -> str:
    """Check a Ledgerflow host and return it normalised (lower-case, no trailing slash).

    Accepted: ``https://name[:port][/path]``, or ``http://`` for a loopback address
    (``localhost``, ``127.0.0.0/8``, ``::1``) so a local sandbox works. Refused with
    :class:`InvalidHostError`: anything else, user info, query strings, fragments, and
    Xero's own hosts (a client meant for Xero needs no Ledgerflow settings).
    """
    if not isinstance(host, str):
        raise InvalidHostError(f"Ledgerflow host must be a string URL, not {type(host).__name__}")
    shown = repr(shorten(without_user_info(host)))
    expected = "expected https://name[:port][/path], or http:// on a loopback address"

    def refuse(why: str) -> InvalidHostError:
        return InvalidHostError(f"Ledgerflow host {shown} {why}; {expected}")

    if host != host.strip() or any(ch.isspace() for ch in host):
        raise refuse("contains white space")
    if not host.isascii():
        raise refuse("is not ASCII (write an international name in its xn-- form)")
    scheme, authority, path, rest = _URL.fullmatch(host).groups()  # type: ignore[union-attr]
    if (scheme or "").lower() not in _WEB_SCHEMES or not authority:
        raise refuse("is not an http(s) URL")
    if "@" in authority:
        raise refuse("must not contain user info")
    if rest:
        raise refuse("must not have a query or fragment")
    path = path.rstrip("/")
    if not _PATH.fullmatch(path) or has_dot_segments(path):
        raise refuse("has a malformed path")
    if authority.startswith("["):
        name, bracket, port_text = authority[1:].partition("]")
        try:
            ipaddress.IPv6Address(name)
        except ValueError:
            raise refuse("has a malformed IPv6 address") from None
        if not bracket:
            raise refuse("has a malformed IPv6 address")
    else:
        name, colon, port_digits = authority.partition(":")
        port_text = colon + port_digits
        if not all(_HOST_LABEL.fullmatch(label) for label in name.lower().rstrip(".").split(".")):
            raise refuse("has a malformed host name")
    if port_text and not (port_text[:1] == ":" and port_text[1:].isdigit() and 0 < int(port_text[1:]) < 65536):
        raise refuse("has a malformed port")
    name = normalise_host(name)
    if is_xero_host(name):
        raise refuse("is a Xero host; leave source and host unset to talk to Xero")
    if scheme.lower() == "http" and not is_loopback(name):
        raise refuse("uses http on a non-loopback host")
    shown_name = f"[{name}]" if ":" in name else name
    port = f":{int(port_text[1:])}" if port_text else ""
    return f"{scheme.lower()}://{shown_name}{port}{path}"


def validate_allowed_host(name: str) -> str:
    """Check one entry of ``allowed_hosts`` (a bare host name or IP address) and normalise it."""
    if not isinstance(name, str) or not name or "/" in name or "@" in name or any(c.isspace() for c in name):
        raise InvalidHostError(
            f"allowed_hosts entry {shorten(repr(name))} is not a host name; expected a bare name such as "
            "'mock.internal' or an IP address, without scheme, port or path"
        )
    normalised = normalise_host(name)
    if is_xero_host(normalised):
        raise InvalidHostError(f"allowed_hosts entry {name!r} is a Xero host; a Ledgerflow client never talks to Xero")
    return normalised
