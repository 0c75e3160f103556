"""Validating Ledgerflow's id_tokens and access tokens against its published signing keys.

Only RS256 is accepted. The issuer is checked against the ``issuer`` Ledgerflow publishes
at ``{host}/{source}/.well-known/openid-configuration`` — never against Xero's
``https://identity.xero.com``, which Ledgerflow tokens cannot pass. The JOSE work is
PyJWT's (with ``cryptography``), installed by the ``oauth`` extra.
"""

from __future__ import annotations

import datetime
import hmac
import threading
from typing import Any, Dict, Tuple, Union

import urllib3

from ..errors import MissingExtraError, TokenValidationError
from ..routing import DEFAULT_HOST, XERO_JWKS_URL, Router, router_for
from ..sources import SourceLike
from . import _http
from .authorize import require_text

ACCEPTED_ALGORITHMS = ("RS256",)
DEFAULT_LEEWAY = 120
"""Seconds of clock skew allowed on ``exp``, ``nbf`` and ``iat`` (as the vendor's own client)."""

Leeway = Union[int, float, datetime.timedelta]


def _jwt() -> Any:
    """PyJWT, imported on first use so the package imports without the ``oauth`` extra."""
    try:
        import jwt
        from jwt.algorithms import has_crypto
    except ImportError:
        has_crypto = False
    if not has_crypto:
        raise MissingExtraError(
            "validating tokens needs PyJWT with cryptography: pip install 'ledgerflow-xero[oauth]'"
        )
    return jwt


class _SigningKeys:
    """The issuer and RSA signing keys published for one (source, host), fetched lazily."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.openid_configuration_url = router.url_for("openid-configuration")
        self.jwks_url = router.route(XERO_JWKS_URL)
        self.lock = threading.Lock()
        self.issuer: str | None = None
        self.keys: Dict[str | None, Any] | None = None

    def issuer_and_key(self, kid: str | None, timeout: float) -> Tuple[str, Any]:
        """The published issuer and the key for ``kid``; refetches the keys once when the
        kid is unknown (Ledgerflow may have rotated them)."""
        with self.lock:
            if self.issuer is None:
                self.issuer = self._fetch_issuer(timeout)
            fetched_now = False
            if self.keys is None:
                self.keys = self._fetch_keys(timeout)
                fetched_now = True
            key = self._pick(kid)
            if key is None and not fetched_now:
                self.keys = self._fetch_keys(timeout)
                key = self._pick(kid)
            if key is None:
                known = ", ".join(sorted(repr(k) for k in self.keys)) or "none"
                raise TokenValidationError(
                    f"signing key check failed: no RS256 key with kid {kid!r} at {self.jwks_url} (published: {known})",
                    check="signing key",
                )
            return self.issuer, key

    def _pick(self, kid: str | None) -> Any:
        assert self.keys is not None
        if kid is None and len(self.keys) == 1:
            return next(iter(self.keys.values()))
        return self.keys.get(kid)

    def _fetch_json(self, url: str, what: str, timeout: float) -> Dict[str, Any]:
        try:
            status, body = _http.request("GET", url, router=self.router, timeout=timeout)
        except urllib3.exceptions.HTTPError as error:
            message = f"{what} check failed: {url} could not be reached: {error}"
            raise TokenValidationError(message, check=what) from None
        document = _http.parse_json_object(body) if status == 200 else None
        if document is None:
            raise TokenValidationError(
                f"{what} check failed: {url} answered HTTP {status} without a JSON object", check=what
            )
        return document

    def _fetch_issuer(self, timeout: float) -> str:
        document = self._fetch_json(self.openid_configuration_url, "issuer", timeout)
        issuer = document.get("issuer")
        if not isinstance(issuer, str) or not issuer:
            raise TokenValidationError(
                f"issuer check failed: {self.openid_configuration_url} publishes no issuer", check="issuer"
            )
        return issuer

    def _fetch_keys(self, timeout: float) -> Dict[str | None, Any]:
        jwt = _jwt()
        document = self._fetch_json(self.jwks_url, "signing key", timeout)
        entries = document.get("keys")
        if not isinstance(entries, list):
            raise TokenValidationError(
                f"signing key check failed: {self.jwks_url} has no 'keys' list", check="signing key"
            )
        keys: Dict[str | None, Any] = {}
        for entry in entries:
            if not isinstance(entry, dict) or entry.get("kty") != "RSA" or entry.get("use", "sig") != "sig":
                continue
            if entry.get("alg", "RS256") not in ACCEPTED_ALGORITHMS:
                continue
            try:
                keys[entry.get("kid")] = jwt.PyJWK(entry, algorithm="RS256").key
            except jwt.PyJWTError:
                continue  # one malformed key must not hide the others
        return keys


_caches: Dict[Tuple[int, str], _SigningKeys] = {}
_caches_lock = threading.Lock()


def _signing_keys(source: SourceLike, host: str) -> _SigningKeys:
    router = router_for(source, host)
    cache_key = (int(router.source), router.host)
    with _caches_lock:
        keys = _caches.get(cache_key)
        if keys is None:
            keys = _caches[cache_key] = _SigningKeys(router)
        return keys


def clear_signing_key_cache() -> None:
    """Forget every fetched issuer and signing key (the next validation fetches them again)."""
    with _caches_lock:
        _caches.clear()


_CHECK_OF_ERROR = (
    # (PyJWT exception class name, the check it means), most specific first
    ("ExpiredSignatureError", "expiry"),
    ("ImmatureSignatureError", "not-before"),
    ("InvalidAudienceError", "audience"),
    ("InvalidIssuerError", "issuer"),
    ("InvalidSignatureError", "signature"),
    ("InvalidAlgorithmError", "algorithm"),
    ("MissingRequiredClaimError", "required claims"),
    ("DecodeError", "format"),
)


def _check_for(jwt: Any, error: Exception) -> str:
    for class_name, check in _CHECK_OF_ERROR:
        if isinstance(error, getattr(jwt, class_name)):
            return check
    return "claims"


def _validate(
    token: str,
    *,
    kind: str,
    source: SourceLike,
    host: str,
    audience: str | None,
    leeway: Leeway,
    timeout: float,
) -> Dict[str, Any]:
    jwt = _jwt()
    if not isinstance(token, str) or not token:
        raise TokenValidationError(f"format check failed: the {kind} is not a non-empty string", check="format")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise TokenValidationError(f"format check failed: the {kind} is not a JWS: {error}", check="format") from None
    algorithm = header.get("alg")
    if algorithm not in ACCEPTED_ALGORITHMS:
        raise TokenValidationError(
            f"algorithm check failed: the {kind} is signed with {algorithm!r}; only RS256 is accepted",
            check="algorithm",
        )
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise TokenValidationError(f"format check failed: the {kind}'s kid {kid!r} is not a string", check="format")
    issuer, key = _signing_keys(source, host).issuer_and_key(kid, timeout)
    required = ["exp", "iss"] + (["aud"] if audience is not None else [])
    try:
        claims: Dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=list(ACCEPTED_ALGORITHMS),
            audience=audience,
            issuer=issuer,
            leeway=leeway,
            options={"require": required, "verify_aud": audience is not None},
        )
    except jwt.PyJWTError as error:
        check = _check_for(jwt, error)
        raise TokenValidationError(f"{check} check failed: the {kind} is not valid: {error}", check=check) from None
    return claims


def validate_id_token(
    id_token: str,
    *,
    client_id: str,
    source: SourceLike,
    host: str = DEFAULT_HOST,
    leeway: Leeway = DEFAULT_LEEWAY,
    nonce: str | None = None,
    timeout: float = _http.DEFAULT_TIMEOUT,
) -> Dict[str, Any]:
    """Validate an id_token from Ledgerflow and return its claims.

    Checks, in order: it is a JWS signed with RS256; its ``kid`` names a key published at
    ``{host}/{source}/.well-known/openid-configuration/jwks`` (keys are cached per source
    and host, and fetched again once for an unknown kid); the signature; ``aud`` is
    ``client_id``; ``exp``, ``nbf`` and ``iat`` with ``leeway`` seconds of skew; ``iss`` is the
    issuer Ledgerflow publishes; and ``nonce``, when given. Any failure raises
    :class:`TokenValidationError` whose ``check`` (and message) names the check.
    """
    require_text("client_id", client_id, "'3F0A...' from your Ledgerflow app")
    claims = _validate(
        id_token, kind="id_token", source=source, host=host, audience=client_id, leeway=leeway, timeout=timeout
    )
    if nonce is not None:
        claimed = claims.get("nonce")
        if not isinstance(claimed, str) or not hmac.compare_digest(claimed.encode(), nonce.encode()):
            raise TokenValidationError(
                "nonce check failed: the id_token's nonce is not the one the login redirect sent", check="nonce"
            )
    return claims


def validate_access_token(
    access_token: str,
    *,
    source: SourceLike,
    host: str = DEFAULT_HOST,
    leeway: Leeway = DEFAULT_LEEWAY,
    timeout: float = _http.DEFAULT_TIMEOUT,
) -> Dict[str, Any]:
    """Validate an access token from Ledgerflow and return its claims: the same checks as
    :func:`validate_id_token` except the audience (an access token is meant for the API,
    not for this client)."""
    return _validate(
        access_token, kind="access token", source=source, host=host, audience=None, leeway=leeway, timeout=timeout
    )
