"""The code exchange, and the token set in the shape xero-python's token getter and saver use."""

from __future__ import annotations

import base64
import hmac
import time
from typing import Any, Dict, Mapping, Tuple
from urllib.parse import quote

import urllib3

from ..errors import OAuthParameterError, StateMismatchError, TokenRequestError
from ..routing import DEFAULT_HOST, router_for
from ..sources import SourceLike
from . import _http
from .authorize import ScopeLike, normalise_scope, require_text

# Exactly the keys xero-python's OAuth2Token.update_token(**token) accepts: any other key
# in a stored token set would make it raise TypeError.
TOKEN_SET_KEYS = ("access_token", "refresh_token", "id_token", "token_type", "expires_in", "expires_at", "scope")
_SECRET_KEYS = frozenset({"access_token", "refresh_token", "id_token"})
_CLIENT_AUTH_METHODS = ("basic", "post")
_MAX_DESCRIPTION = 500


class TokenSet(Dict[str, Any]):
    """A token set: a plain ``dict`` (for xero-python, JSON and sessions) whose repr hides
    the tokens."""

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{key!r}: {'<hidden>' if key in _SECRET_KEYS and value else repr(value)}" for key, value in self.items()
        )
        return f"TokenSet({{{shown}}})"

    __str__ = __repr__


def _number(name: str, value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise OAuthParameterError(f"token set {name} {_shown(value)} is not a number of seconds")
    if not isinstance(value, str):
        return value
    try:
        return float(value) if "." in value else int(value)
    except ValueError:
        raise OAuthParameterError(f"token set {name} {_shown(value)} is not a number of seconds") from None


def normalise_token_set(
    token: Mapping[str, Any],
    *,
    issued_at: float | None = None,
    default_scope: ScopeLike | None = None,
) -> TokenSet:
    """Turn a token endpoint answer (or a stored token set) into what xero-python expects.

    - ``scope`` becomes a list: token endpoints send a space-separated string, which
      xero-python 15.2.0 would send back on refresh with its characters spaced out.
      When the answer has no scope (allowed when it equals the request's), ``default_scope``
      is used.
    - ``expires_at`` is ``issued_at`` (default: now) plus ``expires_in``, unless the token
      set already has one.
    - ``token_type`` defaults to ``"Bearer"``; keys xero-python's ``update_token`` does not
      accept are dropped, so ``OAuth2Token.update_token(**token_set)`` works.

    Raises :class:`OAuthParameterError` when there is no access token or a field is malformed.
    """
    if not isinstance(token, Mapping):
        raise OAuthParameterError(f"a token set must be a mapping, not {type(token).__name__}")
    access_token = token.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise OAuthParameterError("the token set has no access_token")
    result = TokenSet({key: token.get(key) for key in TOKEN_SET_KEYS})
    result["token_type"] = result["token_type"] or "Bearer"
    scope = token.get("scope")
    if scope is None or scope == "" or scope == []:
        scope = default_scope
    result["scope"] = normalise_scope(scope) if scope is not None else None
    if result["expires_in"] is not None:
        result["expires_in"] = _number("expires_in", result["expires_in"])
    if result["expires_at"] is not None:
        result["expires_at"] = _number("expires_at", result["expires_at"])
    elif result["expires_in"] is not None:
        result["expires_at"] = (time.time() if issued_at is None else issued_at) + result["expires_in"]
    return result


def _shown(value: object, limit: int = 100) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_state(expected_state: str | None, returned_state: str | None) -> None:
    """Raise :class:`StateMismatchError` unless the callback's state is the one sent."""
    if expected_state is None and returned_state is None:
        return
    if expected_state is not None and (not isinstance(expected_state, str) or not expected_state):
        raise OAuthParameterError(
            f"expected_state={_shown(expected_state)}: expected the non-empty state string the login redirect sent "
            "(AuthorizationRequest.state), or None when it sent none; an empty state never matches"
        )
    if isinstance(returned_state, str) and not returned_state:
        raise StateMismatchError("the callback carried an empty state; an empty state never matches")
    if expected_state is None:
        raise StateMismatchError("the callback carried a state but no expected state was given to compare it with")
    if returned_state is None:
        raise StateMismatchError("the callback carried no state; expected the one the login redirect sent")
    if not isinstance(returned_state, str) or not hmac.compare_digest(
        returned_state.encode("utf-8", "surrogatepass"), str(expected_state).encode("utf-8", "surrogatepass")
    ):
        raise StateMismatchError(
            "the callback's state is not the one the login redirect sent (a forged or stale callback)"
        )


def _basic_credentials(client_id: str, client_secret: str) -> str:
    # RFC 6749 section 2.3.1: form-encode each part, then base64 "id:secret".
    pair = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


def _redact(text: str, sensitive: Tuple[str | None, ...]) -> str:
    """``text`` with every sensitive value replaced, in case a server echoes one back."""
    for value in sensitive:
        if value and len(value) >= 4:
            text = text.replace(value, "<redacted>")
    return text


def _refusal(url: str, status: int, body: bytes, sensitive: Tuple[str | None, ...]) -> TokenRequestError:
    fields = _http.parse_json_object(body) or {}
    error = fields.get("error") if isinstance(fields.get("error"), str) else None
    description = fields.get("error_description") if isinstance(fields.get("error_description"), str) else None
    if error:
        error = _redact(error, sensitive)[:_MAX_DESCRIPTION]
    if description:
        description = _redact(description, sensitive)[:_MAX_DESCRIPTION]
    detail = f"{error or 'no OAuth error code'}" + (f" ({description})" if description else "")
    return TokenRequestError(
        f"token endpoint {url} answered HTTP {status}: {detail}",
        status=status,
        error=error,
        error_description=description,
    )


def exchange_code(
    code: str,
    *,
    client_id: str,
    client_secret: str | None,
    redirect_uri: str,
    source: SourceLike,
    host: str = DEFAULT_HOST,
    code_verifier: str | None = None,
    expected_state: str | None = None,
    returned_state: str | None = None,
    timeout: float = _http.DEFAULT_TIMEOUT,
    client_auth: str = "basic",
    scope: ScopeLike | None = None,
) -> TokenSet:
    """Exchange an authorization code for tokens at ``{host}/{source}/connect/token``.

    Pass the state saved at login as ``expected_state`` and the callback's ``state`` as
    ``returned_state``: a mismatch raises :class:`StateMismatchError` before any request.
    The client authenticates with HTTP Basic (``client_auth="basic"``, RFC 6749's default)
    or with ``client_id``/``client_secret`` in the form (``"post"``); with no secret (a
    PKCE-only public client) only ``client_id`` is sent. ``scope`` is what was requested,
    used when the answer leaves it out.

    Returns the normalised :class:`TokenSet` (see :func:`normalise_token_set`). A refusal
    (any non-2xx), no answer within ``timeout`` seconds, or an answer without an access
    token raises :class:`TokenRequestError`.
    """
    check_state(expected_state, returned_state)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout < float("inf"):
        raise OAuthParameterError(f"timeout={_shown(timeout)}: expected seconds > 0")
    if not isinstance(client_auth, str):
        raise OAuthParameterError(
            f"client_auth={_shown(client_auth)}: expected one of {', '.join(_CLIENT_AUTH_METHODS)}"
        )
    require_text("code", code, "the 'code' query parameter of the callback")
    require_text("client_id", client_id, "'3F0A...' from your Ledgerflow app")
    require_text("redirect_uri", redirect_uri, "the redirect URI the login redirect used")
    if client_secret is not None:
        require_text("client_secret", client_secret, "the secret of your Ledgerflow app")
    if code_verifier is not None:
        require_text("code_verifier", code_verifier, "AuthorizationRequest.code_verifier")
    if client_auth not in _CLIENT_AUTH_METHODS:
        raise OAuthParameterError(
            f"client_auth {_shown(client_auth)} is not one of {', '.join(_CLIENT_AUTH_METHODS)}"
        )
    default_scope = normalise_scope(scope) if scope is not None else None
    router = router_for(source, host)
    url = router.url_for("token")

    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if code_verifier is not None:
        form["code_verifier"] = code_verifier
    headers: Dict[str, str] = {}
    if client_secret is None or client_auth == "post":
        form["client_id"] = client_id
    if client_secret is not None:
        if client_auth == "basic":
            headers["Authorization"] = _basic_credentials(client_id, client_secret)
        else:
            form["client_secret"] = client_secret

    sensitive = (client_secret, code, code_verifier)
    issued_at = time.time()
    try:
        status, body = _http.request("POST", url, router=router, form=form, headers=headers, timeout=timeout)
    except urllib3.exceptions.HTTPError as error:
        raise TokenRequestError(
            f"token endpoint {url} could not be reached: {_redact(str(error), sensitive)}"
        ) from None
    if not 200 <= status < 300:
        raise _refusal(url, status, body, sensitive)
    answer: Dict[str, Any] | None = _http.parse_json_object(body)
    if answer is None:
        raise TokenRequestError(f"token endpoint {url} answered HTTP {status} without a JSON object", status=status)
    try:
        return normalise_token_set(answer, issued_at=issued_at, default_scope=default_scope)
    except OAuthParameterError as error:
        raise TokenRequestError(f"token endpoint {url} answered HTTP {status} with {error}", status=status) from None
