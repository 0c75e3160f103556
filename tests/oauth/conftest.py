"""Fixtures for the sign-in tests: the shared loopback server (``tests/support.py``) playing
Ledgerflow's identity endpoints, and RSA keys generated per test session for signing tokens."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Dict, Iterator

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from ledgerflow_xero.oauth import clear_signing_key_cache

from ..support import LoopbackServer, run_loopback_server

SOURCE = 1004
CLIENT_ID = "client-id-123"
CLIENT_SECRET = "client-secret-very-secret"


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    yield from run_loopback_server()


@pytest.fixture(autouse=True)
def fresh_signing_key_cache() -> Iterator[None]:
    clear_signing_key_cache()
    yield
    clear_signing_key_cache()


# --- keys and tokens ---------------------------------------------------------------


@pytest.fixture(scope="session")
def rsa_keys() -> Dict[str, Any]:
    """Two RSA private keys, generated once per run: "good" (published) and "other" (not)."""
    return {name: rsa.generate_private_key(public_exponent=65537, key_size=2048) for name in ("good", "other")}


def public_jwk(private_key: Any, kid: str) -> Dict[str, Any]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    jwk.update(kid=kid, use="sig", alg="RS256")
    return jwk


@dataclass
class Identity:
    """Ledgerflow's discovery and signing keys on the loopback server, and a token minter."""

    server: LoopbackServer
    issuer: str
    keys: Dict[str, Any]
    published: Dict[str, str]  # kid -> key name

    @property
    def openid_path(self) -> str:
        return f"/{SOURCE}/.well-known/openid-configuration"

    @property
    def jwks_path(self) -> str:
        return self.openid_path + "/jwks"

    def publish(self, **kids: str) -> None:
        """Publish exactly these kid -> key-name pairs at the JWKS URL."""
        self.published = dict(kids)
        self.server.answer(
            "GET", self.jwks_path, 200, {"keys": [public_jwk(self.keys[name], kid) for kid, name in kids.items()]}
        )

    def claims(self, **overrides: Any) -> Dict[str, Any]:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "sub": "user-1", "iat": now, "nbf": now, "exp": now + 300}
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def mint(self, key: str = "good", kid: str | None = "kid-1", algorithm: str = "RS256", **claims: Any) -> str:
        headers = {"kid": kid} if kid is not None else {}
        return jwt.encode(self.claims(**claims), self.keys[key], algorithm=algorithm, headers=headers)


@pytest.fixture
def identity(loopback: LoopbackServer, rsa_keys: Dict[str, Any]) -> Identity:
    issuer = f"{loopback.host}/{SOURCE}/identity"  # deliberately not identity.xero.com
    ident = Identity(server=loopback, issuer=issuer, keys=rsa_keys, published={})
    loopback.answer("GET", ident.openid_path, 200, {"issuer": issuer, "jwks_uri": loopback.host + ident.jwks_path})
    ident.publish(**{"kid-1": "good"})
    return ident

