"""``authorization_url()``: the login redirect to Ledgerflow, with state and PKCE (RFC 7636)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any, Iterable, List, Union
from urllib.parse import quote, urlencode

from ..errors import OAuthParameterError
from ..routing import DEFAULT_HOST, router_for
from ..sources import SourceLike

ScopeLike = Union[str, Iterable[str]]

# The parameters authorization_url sets itself; extra keyword arguments may not override them.
_RESERVED_PARAMETERS = frozenset(
    {"response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"}
)
_STATE_BYTES = 32  # 256 bits; the issue asks for at least 128
_VERIFIER_BYTES = 64  # 86 URL-safe characters; RFC 7636 allows 43 to 128


@dataclass(frozen=True)
class AuthorizationRequest:
    """A login redirect: send the user to ``url``; keep ``state`` and ``code_verifier``
    (server side, e.g. in the session) for :func:`~ledgerflow_xero.exchange_code`."""

    url: str
    state: str
    code_verifier: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        pkce = "S256" if self.code_verifier else "off"
        return f"AuthorizationRequest(url={self.url!r}, state={self.state!r}, pkce={pkce!r})"


def normalise_scope(scope: ScopeLike | None) -> List[str]:
    """``scope`` as a list of scope names: from a space-separated string or any iterable of
    names. Raises :class:`OAuthParameterError` for anything else."""
    if scope is None:
        raise OAuthParameterError("scope is missing; expected a space-separated string or a list of scope names")
    if isinstance(scope, str):
        names = scope.split()
    elif isinstance(scope, (bytes, bytearray)):
        raise OAuthParameterError(f"scope {scope!r} is bytes; expected a str or a list of str")
    else:
        try:
            names = list(scope)
        except TypeError:
            raise OAuthParameterError(
                f"scope {scope!r} is a {type(scope).__name__}; expected a space-separated string or a list of names"
            ) from None
        for name in names:
            if not isinstance(name, str) or not name or any(ch.isspace() for ch in name):
                raise OAuthParameterError(
                    f"scope name {name!r} is not a non-empty string without spaces; expected e.g. ['openid', 'email']"
                )
    if not names:
        raise OAuthParameterError("scope is empty; expected at least one scope name, e.g. 'openid offline_access'")
    return names


def new_code_verifier() -> str:
    """A fresh PKCE code verifier: 86 characters from RFC 7636's unreserved set."""
    return secrets.token_urlsafe(_VERIFIER_BYTES)


def code_challenge(code_verifier: str) -> str:
    """The S256 challenge for a verifier: BASE64URL(SHA256(verifier)) without padding."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def require_text(name: str, value: Any, example: str) -> str:
    """``value`` if it is a non-empty string without surrounding white space, else an error."""
    if not isinstance(value, str) or not value or value != value.strip():
        shown = f"a {type(value).__name__}" if not isinstance(value, str) else repr(value)
        raise OAuthParameterError(f"{name} must be a non-empty string without surrounding spaces, not {shown}; "
                                  f"e.g. {example}")
    return value


def authorization_url(
    client_id: str,
    redirect_uri: str,
    scope: ScopeLike,
    *,
    source: SourceLike,
    host: str = DEFAULT_HOST,
    state: str | None = None,
    pkce: bool = True,
    **extra: str,
) -> AuthorizationRequest:
    """Build the URL that sends a user to Ledgerflow's login for ``source``.

    The URL is ``{host}/{source}/identity/connect/authorize`` with ``response_type=code``,
    ``client_id``, ``redirect_uri``, ``scope`` (a list or a space-separated string) and
    ``state`` (random, 256 bits, unless given). With ``pkce`` (the default) it also carries
    an S256 ``code_challenge``; the matching verifier is returned for the code exchange.
    Extra keyword arguments (``nonce``, ``prompt``, ...) are added as query parameters.
    """
    require_text("client_id", client_id, "'3F0A...' from your Ledgerflow app")
    require_text("redirect_uri", redirect_uri, "'https://example.com/callback'")
    names = normalise_scope(scope)
    if state is None:
        state = secrets.token_urlsafe(_STATE_BYTES)
    else:
        require_text("state", state, "leave it out to get a random one")
    clashes = sorted(_RESERVED_PARAMETERS.intersection(extra))
    if clashes:
        raise OAuthParameterError(
            f"extra parameter(s) {', '.join(clashes)} would override what authorization_url sets itself; "
            "pass them as its named arguments"
        )
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(names),
        "state": state,
    }
    verifier = None
    if pkce:
        verifier = new_code_verifier()
        params["code_challenge"] = code_challenge(verifier)
        params["code_challenge_method"] = "S256"
    for name, value in extra.items():
        if not isinstance(value, str):
            raise OAuthParameterError(f"extra parameter {name}={value!r} must be a string")
        params[name] = value
    base = router_for(source, host).url_for("authorize")
    return AuthorizationRequest(url=f"{base}?{urlencode(params, quote_via=quote)}", state=state, code_verifier=verifier)
