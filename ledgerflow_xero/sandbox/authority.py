"""The sandbox's identity provider: codes, grants, connections and RS256 tokens.

Everything secret (codes, refresh tokens) is stored as a SHA-256 digest, so nothing the
sandbox holds or logs can be replayed. Times come from :class:`Clock`, which tests can move
forward to see tokens and codes expire. All state sits behind one lock because the HTTP
server answers on several threads.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ACCESS_TOKEN_LIFETIME = 1800  # seconds, as Xero
CODE_LIFETIME = 60  # seconds: short, single use (RFC 6749 suggests at most 10 minutes)
ID_TOKEN_LIFETIME = 300

_KEY_LOCK = threading.Lock()
_PROCESS_KEY: List[rsa.RSAPrivateKey] = []


def process_signing_key() -> rsa.RSAPrivateKey:
    """The RSA key sandboxes in this process sign with, generated on first use."""
    with _KEY_LOCK:
        if not _PROCESS_KEY:
            _PROCESS_KEY.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
        return _PROCESS_KEY[0]


def digest(secret: str) -> str:
    """How a secret is stored: its SHA-256, never the secret itself."""
    return hashlib.sha256(secret.encode()).hexdigest()


def pkce_challenge(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding (RFC 7636, S256)."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


_VERIFIED_CACHE_SIZE = 4096


class Clock:
    """Wall-clock time plus an offset that tests move forward with :meth:`advance`."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class TokenRefused(Exception):
    """An access token the accounting or identity API refuses; ``detail`` goes in the 401 body."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass
class Connection:
    """A tenant a user (or a client-credentials app) has connected, as ``GET /connections`` lists it."""

    id: str
    tenant_id: str
    tenant_name: str
    auth_event_id: str
    created: float
    updated: float
    tenant_type: str = "ORGANISATION"


@dataclass
class AuthorizationCode:
    client_id: str
    redirect_uri: str
    scope: Tuple[str, ...]
    source: int
    subject: str
    code_challenge: str | None
    nonce: str | None
    expires_at: float
    grant_id: str | None = None  # set once the code is redeemed


@dataclass
class Grant:
    """One authorisation (Xero's authentication event): its refresh token and whether it still stands."""

    id: str
    client_id: str
    source: int
    subject: str | None  # None for client credentials
    scope: Tuple[str, ...]
    auth_time: float
    nonce: str | None = None
    refresh_digest: str | None = None
    revoked: bool = False


@dataclass
class AccessClaims:
    """What a verified access token grants: the grant and the tenants its connection holds now."""

    grant: Grant
    claims: Dict[str, Any]
    tenant_ids: List[str] = field(default_factory=list)


class Authority:
    """Issues and checks every credential of one sandbox, for all its sources."""

    def __init__(
        self,
        issuers: Dict[int, str],
        tenants: Dict[int, Tuple[str, str]],
        *,
        signing_key: rsa.RSAPrivateKey | None = None,
        clock: Clock | None = None,
        id_factory: Any = None,
        access_token_lifetime: int = ACCESS_TOKEN_LIFETIME,
        code_lifetime: int = CODE_LIFETIME,
    ) -> None:
        self.issuers = issuers  # source -> issuer URL ({base}/{source})
        self.tenants = tenants  # source -> (tenant id, organisation name)
        self.key = signing_key or process_signing_key()
        self.clock = clock or Clock()
        self.new_id = id_factory or (lambda: str(uuid.uuid4()))
        self.access_token_lifetime = access_token_lifetime
        self.code_lifetime = code_lifetime
        public_jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        thumbprint_input = json.dumps({k: public_jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"))
        self.kid = base64.urlsafe_b64encode(hashlib.sha256(thumbprint_input.encode()).digest()).rstrip(b"=").decode()
        self.jwks = {"keys": [dict(public_jwk, kid=self.kid, use="sig", alg="RS256")]}
        self.user_subject = self.new_id()
        self._lock = threading.RLock()
        self._verified: Dict[str, Dict[str, Any]] = {}  # token -> claims whose signature checked out
        self._codes: Dict[str, AuthorizationCode] = {}
        self._grants: Dict[str, Grant] = {}
        self._refresh: Dict[str, str] = {}  # refresh digest -> grant id
        # (client id, subject or grant id for client credentials, source) -> connection id -> connection
        self._connections: Dict[Tuple[str, str, int], Dict[str, Connection]] = {}

    # --- authorization codes -------------------------------------------------------------
    def issue_code(self, **fields: Any) -> str:
        """A new single-use code for a consenting demo user; returns the code."""
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._codes[digest(code)] = AuthorizationCode(
                subject=self.user_subject, expires_at=self.clock.now() + self.code_lifetime, **fields
            )
        return code

    def redeem_code(
        self, code: str, client_id: str, redirect_uri: str | None, verifier: str | None, source: int
    ) -> Grant:
        """Check a code and turn it into a grant; raises ``ValueError(description)`` (invalid_grant)."""
        with self._lock:
            entry = self._codes.get(digest(code))
            if entry is None:
                raise ValueError("unknown authorization code")
            if entry.grant_id is not None:
                # RFC 6749 4.1.2: a code used twice revokes what it issued the first time.
                self._revoke_grant(entry.grant_id)
                raise ValueError("authorization code already used; tokens issued from it are revoked")
            if entry.client_id != client_id:
                raise ValueError("authorization code was issued to another client")
            if entry.source != source:
                raise ValueError("authorization code was issued by another source")
            if self.clock.now() > entry.expires_at:
                raise ValueError("authorization code expired")
            if redirect_uri != entry.redirect_uri:
                raise ValueError("redirect_uri does not match the one of the authorization request")
            if entry.code_challenge is None:
                if verifier is not None:
                    raise ValueError("code_verifier sent but the authorization request had no code_challenge")
            elif verifier is None:
                raise ValueError("code_verifier missing (the authorization request used PKCE)")
            elif not secrets.compare_digest(pkce_challenge(verifier), entry.code_challenge):
                raise ValueError("code_verifier does not match the code_challenge")
            grant = Grant(
                self.new_id(),
                client_id,
                entry.source,
                entry.subject,
                entry.scope,
                auth_time=self.clock.now(),
                nonce=entry.nonce,
            )
            entry.grant_id = grant.id
            self._grants[grant.id] = grant
            self._connect(grant, (client_id, entry.subject, entry.source))
            return grant

    # --- grants and connections ----------------------------------------------------------
    def _connect(self, grant: Grant, key: Tuple[str, str, int]) -> None:
        tenant_id, tenant_name = self.tenants[grant.source]
        connections = self._connections.setdefault(key, {})
        now = self.clock.now()
        for connection in connections.values():
            if connection.tenant_id == tenant_id:
                connection.auth_event_id, connection.updated = grant.id, now
                return
        connection = Connection(self.new_id(), tenant_id, tenant_name, grant.id, now, now)
        connections[connection.id] = connection

    def _connection_key(self, grant: Grant) -> Tuple[str, str, int]:
        return (grant.client_id, grant.subject or grant.id, grant.source)

    def client_credentials_grant(self, client_id: str, source: int, scope: Tuple[str, ...]) -> Grant:
        """A custom-connection grant: the app itself, connected to the source's organisation."""
        with self._lock:
            grant = Grant(self.new_id(), client_id, source, None, scope, auth_time=self.clock.now())
            self._grants[grant.id] = grant
            self._connect(grant, self._connection_key(grant))
            return grant

    def connections_for(self, grant: Grant) -> List[Connection]:
        with self._lock:
            return list(self._connections.get(self._connection_key(grant), {}).values())

    def delete_connection(self, grant: Grant, connection_id: str) -> bool:
        with self._lock:
            return self._connections.get(self._connection_key(grant), {}).pop(connection_id, None) is not None

    def _revoke_grant(self, grant_id: str) -> None:
        grant = self._grants.get(grant_id)
        if grant is None or grant.revoked:
            return
        grant.revoked = True
        if grant.refresh_digest:
            self._refresh.pop(grant.refresh_digest, None)
        # Xero: revoking removes the user's connections for this app.
        self._connections.pop(self._connection_key(grant), None)

    def revoke(self, token: str, client_id: str) -> bool:
        """Revoke the grant behind a refresh or access token (RFC 7009).

        Returns False when the token belongs to another client; unknown tokens are ignored.
        """
        with self._lock:
            grant_id = self._refresh.get(digest(token))
            if grant_id is None:
                try:
                    grant_id = self._decode(token, verify_time=False).get("authentication_event_id")
                except TokenRefused:
                    return True
            grant = self._grants.get(grant_id or "")
            if grant is None:
                return True
            if grant.client_id != client_id:
                return False
            self._revoke_grant(grant.id)
            return True

    def refresh(self, refresh_token: str, client_id: str, scope: Tuple[str, ...] | None, source: int) -> Grant:
        """Rotate a refresh token: the old one stops working. Raises ``ValueError`` (invalid_grant)."""
        with self._lock:
            grant = self._grants.get(self._refresh.get(digest(refresh_token), ""))
            if grant is None or grant.revoked:
                raise ValueError("refresh token is unknown, already rotated, or revoked")
            if grant.client_id != client_id:
                raise ValueError("refresh token was issued to another client")
            if grant.source != source:
                raise ValueError("refresh token was issued by another source")
            if scope and not set(scope) <= set(grant.scope):
                raise LookupError("requested scope exceeds the scope of the original grant")
            self._refresh.pop(grant.refresh_digest or "", None)
            grant.refresh_digest = None
            return grant

    # --- tokens ----------------------------------------------------------------------------
    def token_response(self, grant: Grant, *, with_refresh: bool) -> Dict[str, Any]:
        """The token endpoint's JSON: exactly the keys xero-python's ``OAuth2Token.update_token`` takes."""
        now = int(self.clock.now())
        issuer = self.issuers[grant.source]
        with self._lock:
            tenant_ids = [c.tenant_id for c in self.connections_for(grant)]
        claims = {
            "iss": issuer,
            "aud": f"{issuer}/resources",
            "nbf": now,
            "iat": now,
            "exp": now + self.access_token_lifetime,
            "client_id": grant.client_id,
            "jti": secrets.token_hex(16),
            "authentication_event_id": grant.id,
            "scope": list(grant.scope),
            "tenant_ids": tenant_ids,
        }
        if grant.subject:
            claims.update(sub=grant.subject, xero_userid=grant.subject, auth_time=int(grant.auth_time))
        else:
            claims["sub"] = grant.client_id
        response: Dict[str, Any] = {
            "access_token": self._sign(claims),
            "expires_in": self.access_token_lifetime,
            "token_type": "Bearer",
            "scope": " ".join(grant.scope),
        }
        if grant.subject and "openid" in grant.scope:
            id_claims = {
                "iss": issuer,
                "aud": grant.client_id,
                "nbf": now,
                "iat": now,
                "exp": now + ID_TOKEN_LIFETIME,
                "sub": grant.subject,
                "xero_userid": grant.subject,
                "auth_time": int(grant.auth_time),
                "tenant_ids": tenant_ids,
            }
            if grant.nonce:
                id_claims["nonce"] = grant.nonce
            if "email" in grant.scope or "profile" in grant.scope:
                id_claims.update(
                    email="demo.user@sandbox.invalid",
                    given_name="Demo",
                    family_name="User",
                    preferred_username="demo.user@sandbox.invalid",
                )
            response["id_token"] = self._sign(id_claims)
        if with_refresh and grant.subject and "offline_access" in grant.scope:
            refresh_token = secrets.token_urlsafe(32)
            with self._lock:
                grant.refresh_digest = digest(refresh_token)
                self._refresh[grant.refresh_digest] = grant.id
            response["refresh_token"] = refresh_token
        return response

    def _sign(self, claims: Dict[str, Any]) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    def _decode(self, token: str, *, verify_time: bool = True) -> Dict[str, Any]:
        claims = self._verified.get(token)
        if claims is None:
            claims = self._verify_signature(token)
            if len(self._verified) >= _VERIFIED_CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = claims
        if verify_time:
            now = self.clock.now()
            if now >= claims["exp"]:
                raise TokenRefused(
                    f"TokenExpired: token expired at {time.strftime('%m/%d/%Y %H:%M:%S', time.gmtime(claims['exp']))}"
                )
            if now < claims["nbf"]:
                raise TokenRefused("AuthenticationUnsuccessful: token not yet valid")
        return claims

    def _verify_signature(self, token: str) -> Dict[str, Any]:
        """The claims of a token this sandbox signed (RS256 checked); the time checks are the caller's.

        Verifying an RS256 signature costs ~0.2 ms, most of a small answer's time, so verified
        tokens are remembered (:data:`_VERIFIED_CACHE_SIZE`); expiry, revocation and the grant are
        still checked on every request."""
        try:
            return jwt.decode(
                token,
                self.key.public_key(),
                algorithms=["RS256"],
                options={
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_aud": False,
                    "verify_iat": False,
                    "require": ["iss", "exp", "nbf", "authentication_event_id"],
                },
            )
        except jwt.PyJWTError:
            raise TokenRefused("AuthenticationUnsuccessful") from None

    def check_access_token(self, token: str, source: int | None) -> AccessClaims:
        """Verify a bearer token for a request to ``source`` (None: take the token's source)."""
        claims = self._decode(token)
        with self._lock:
            grant = self._grants.get(claims["authentication_event_id"])
            if grant is None or grant.revoked:
                raise TokenRefused("AuthenticationUnsuccessful: the grant behind this token was revoked")
            if claims["iss"] != self.issuers.get(grant.source) or claims.get("aud") != f"{claims['iss']}/resources":
                raise TokenRefused("AuthenticationUnsuccessful")
            if source is not None and grant.source != source:
                raise TokenRefused(f"AuthenticationUnsuccessful: token was issued for source {grant.source}")
            tenant_ids = [c.tenant_id for c in self.connections_for(grant)]
            return AccessClaims(dataclasses.replace(grant), claims, tenant_ids)
