"""A token set from exchange_code drives ledgerflow_xero.ApiClient through a token refresh.

Token endpoints send ``scope`` as a string; xero-python 15.2.0 refreshes with
``" ".join(scope)``, which would space out a string's characters. The token set from
exchange_code holds a list, so the refresh form carries the scopes properly joined.
"""

from __future__ import annotations

from typing import Any, Dict, List

from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.identity import IdentityApi

from ledgerflow_xero import ApiClient, Configuration, exchange_code

from ..support import LoopbackServer, Recorded
from .conftest import CLIENT_ID, CLIENT_SECRET, SOURCE

SCOPE = "openid profile email accounting.transactions offline_access"
CONNECTION = {
    "id": "8b2d7c4e-0000-4000-8000-000000000001",
    "tenantId": "8b2d7c4e-0000-4000-8000-000000000002",
    "tenantType": "ORGANISATION",
    "tenantName": "QuickBooks company",
    "createdDateUtc": "2026-01-01T00:00:00.0000000",
    "updatedDateUtc": "2026-01-01T00:00:00.0000000",
}


def token_endpoint(request: Recorded):
    grant = request.form["grant_type"][0]
    number = "1" if grant == "authorization_code" else "2"
    # expires_in 30 < xero-python's 60-second buffer: the first set is already due for refresh
    return 200, {
        "access_token": f"access-{number}",
        "refresh_token": f"refresh-{number}",
        "id_token": f"id-{number}",
        "token_type": "Bearer",
        "expires_in": 30 if number == "1" else 1800,
        "scope": SCOPE,
    }


def test_exchange_then_refresh_through_api_client(loopback: LoopbackServer) -> None:
    loopback.answers[("POST", f"/{SOURCE}/connect/token")] = token_endpoint
    loopback.answer("GET", f"/{SOURCE}/connections", 200, [CONNECTION])

    store: Dict[str, Any] = {}
    store["token"] = exchange_code(
        "code-1", client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uri="https://app.example/cb",
        source=SOURCE, host=loopback.host,
    )
    saved: List[Dict[str, Any]] = []
    api_client = ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id=CLIENT_ID, client_secret=CLIENT_SECRET),
                      source=SOURCE, host=loopback.host),
        pool_threads=1,
        oauth2_token_getter=lambda: store["token"],
        oauth2_token_saver=lambda token: (saved.append(token), store.update(token=token)),
    )

    connections = IdentityApi(api_client).get_connections()

    assert [c.tenant_name for c in connections] == ["QuickBooks company"]
    exchange, refresh = loopback.requests_to(f"/{SOURCE}/connect/token")
    assert exchange.form["grant_type"] == ["authorization_code"]
    assert refresh.form == {
        "grant_type": ["refresh_token"],
        "scope": [SCOPE],  # not "o p e n i d   p r o f i l e ..."
        "refresh_token": ["refresh-1"],
        "client_id": [CLIENT_ID],
        "client_secret": [CLIENT_SECRET],
    }
    (call,) = loopback.requests_to(f"/{SOURCE}/connections")
    assert call.headers["authorization"] == "Bearer access-2"
    assert saved[-1]["access_token"] == "access-2" and saved[-1]["scope"] == SCOPE.split()
    assert [r.path for r in loopback.requests] == ["/1004/connect/token", "/1004/connect/token", "/1004/connections"]
