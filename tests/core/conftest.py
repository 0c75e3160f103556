from __future__ import annotations

import time
from typing import Iterator

import pytest
from xero_python.api_client.oauth2 import OAuth2Token

from ..support import LoopbackServer, run_loopback_server

SOURCES = (1001, 1004, 1009)
SCOPE = ["openid", "offline_access", "accounting.transactions"]


@pytest.fixture
def recorder() -> Iterator[LoopbackServer]:
    """A loopback stand-in for Ledgerflow that records what it is sent."""
    yield from run_loopback_server(stands_in_for_ledgerflow=True)


def token_set(expired: bool = False, access_token: str = "current-access-token") -> dict:
    """A stored token set as xero-python's getter returns it."""
    return {
        "access_token": access_token,
        "refresh_token": "current-refresh-token",
        "id_token": "current-id-token",
        "token_type": "Bearer",
        "expires_in": 1800,
        "expires_at": time.time() + (-10 if expired else 1800),
        "scope": list(SCOPE),
    }


def oauth2_token() -> OAuth2Token:
    return OAuth2Token(client_id="client-id", client_secret="client-secret")
