"""Token sets in the one shape xero-python's ``OAuth2Token.update_token(**token)`` accepts.

xero-python hands a token endpoint's JSON straight to ``update_token`` and then to the
program's token saver. Real token endpoints send what that cannot take: an extra field
(QuickBooks's ``x_refresh_token_expires_in``) or a missing ``scope``/``token_type`` raise a
bare ``TypeError`` *after* the server has retired the old refresh token; a missing
``refresh_token`` (allowed by RFC 6749 section 6 when the server does not rotate) would be
saved as ``None``; ``expires_in`` as a string breaks the expiry sum. :func:`token_answer`
turns an answer into a complete set, or raises :class:`TokenRefreshError` when it holds no
usable access token, so the saver only ever sees a whole set. :func:`stored_token` repairs
a set read back from a store (a ``scope`` string that xero-python 15.2.0 would send back
"o p e n i d").
"""

from __future__ import annotations

import math
import time
from collections import abc
from typing import Any, Dict, List, Mapping, Tuple

from .errors import TokenRefreshError

TOKEN_KEYS: Tuple[str, ...] = (
    "access_token", "refresh_token", "id_token", "token_type", "expires_in", "expires_at", "scope",
)
"""Exactly the keys ``OAuth2Token.update_token`` accepts."""
_KEY_SET = frozenset(TOKEN_KEYS)
_REQUIRED_KEYS = frozenset({"access_token", "scope", "expires_in", "token_type"})


def _scope_list(scope: Any) -> List[str] | None:
    if scope is None or scope == "":
        return None
    if isinstance(scope, str):
        return scope.split()
    if isinstance(scope, (list, tuple)) and all(isinstance(name, str) for name in scope):
        return [part for name in scope for part in name.split()]
    return None


def _seconds(value: Any) -> float | None:
    """A number of seconds from a number or a numeric string; None when unusable."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return int(value) if float(value).is_integer() else float(value)


def token_answer(
    answer: Any,
    *,
    url: str,
    previous_refresh_token: str | None = None,
    requested_scope: Any = None,
    issued_at: float | None = None,
) -> Tuple[Dict[str, Any], List[str]]:
    """A token endpoint's decoded JSON answer as a complete token set, plus the names of the
    fields it dropped (never their values).

    - no usable ``access_token`` (missing, null, empty, not a string) raises
      :class:`TokenRefreshError`;
    - a missing or null ``refresh_token`` keeps ``previous_refresh_token`` (RFC 6749 section 6);
    - ``scope`` becomes a list; when absent it is the requested scope (RFC 6749 section 5.1);
    - ``expires_in`` may be a numeric string; ``expires_at`` is filled in from it;
    - ``token_type`` defaults to ``"Bearer"``; any other field is dropped.
    """
    if not isinstance(answer, Mapping):
        raise TokenRefreshError(f"token endpoint {url} answered with a JSON {type(answer).__name__}, not a token set",
                                status=200)
    access_token = answer.get("access_token")
    if not isinstance(access_token, str) or not access_token.strip():
        raise TokenRefreshError(
            f"token endpoint {url} answered HTTP 200 without a usable access_token; the stored token set is unchanged",
            status=200,
        )
    refresh_token = answer.get("refresh_token")
    if not isinstance(refresh_token, str) or not refresh_token:
        refresh_token = previous_refresh_token
    token_type = answer.get("token_type")
    if not isinstance(token_type, str) or not token_type:
        token_type = "Bearer"
    id_token = answer.get("id_token")
    expires_in = _seconds(answer.get("expires_in"))
    expires_at = _seconds(answer.get("expires_at"))
    if expires_at is None and expires_in is not None:
        expires_at = (time.time() if issued_at is None else issued_at) + expires_in
    scope = _scope_list(answer.get("scope"))
    if scope is None:
        scope = _scope_list(requested_scope)
    token = {
        "access_token": access_token,
        "refresh_token": refresh_token,
        "id_token": id_token if isinstance(id_token, str) and id_token else None,
        "token_type": token_type,
        "expires_in": expires_in,
        "expires_at": expires_at,
        "scope": scope,
    }
    for optional in ("refresh_token", "id_token", "expires_at"):  # update_token's optional keys: absent, not None
        if token[optional] is None:
            del token[optional]
    dropped = sorted(str(key) for key in answer if key not in TOKEN_KEYS)
    return token, dropped


def stored_token(token: Any) -> Any:
    """A token set read from a store, repaired so ``update_token(**token)`` works and a refresh
    sends the right scope: ``scope`` as a list, the keys ``update_token`` requires present,
    others dropped, numeric strings as numbers. Anything that is not a mapping is returned
    as it is (xero-python reports it)."""
    if type(token) is not dict and not isinstance(token, abc.Mapping):
        return token
    if (_REQUIRED_KEYS <= token.keys() <= _KEY_SET and not isinstance(token["scope"], str)
            and not isinstance(token["expires_in"], str) and not isinstance(token.get("expires_at"), str)):
        return token  # already in shape: the common case, on every request
    repaired = {key: token.get(key) for key in TOKEN_KEYS}
    repaired["token_type"] = repaired["token_type"] or "Bearer"
    scope = token.get("scope")
    repaired["scope"] = _scope_list(scope) if scope is not None else None
    for key in ("expires_in", "expires_at"):
        if repaired[key] is not None:
            repaired[key] = _seconds(repaired[key])
    return repaired


def is_fresh(token: Mapping[str, Any], *, margin: float = 60.0, now: float | None = None) -> bool:
    """True when ``token`` has an access token that xero-python would not refresh yet (its
    ``expires_at`` is more than ``margin`` seconds away, xero-python's expiration buffer)."""
    if not token.get("access_token"):
        return False
    expires_at = _seconds(token.get("expires_at"))
    return expires_at is None or expires_at > (time.time() if now is None else now) + margin
