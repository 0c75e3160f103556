"""examples/flask_app.py against a loopback stand-in for Ledgerflow: login redirect,
callback (state, code exchange, id_token validation), connections and invoices."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import CLIENT_ID, CLIENT_SECRET, SOURCE, Identity

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "flask_app.py"
REDIRECT_URI = "http://localhost:5000/callback"
TENANT = "8b2d7c4e-0000-4000-8000-000000000002"


@pytest.fixture
def example():
    spec = importlib.util.spec_from_file_location("ledgerflow_flask_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def app_and_identity(example, identity: Identity):
    app = example.create_app({
        "source": "quickbooks", "host": identity.server.host, "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET, "redirect_uri": REDIRECT_URI,
        "scope": "openid email accounting.transactions offline_access", "secret_key": "test-only",
    })
    return app.test_client(), identity


def login(client) -> dict:
    response = client.get("/login")
    assert response.status_code == 302
    return {name: values[0] for name, values in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def test_settings_come_from_the_environment(example) -> None:
    settings = example.settings_from_environment({
        "LEDGERFLOW_SOURCE": "1009", "LEDGERFLOW_HOST": "http://127.0.0.1:9999", "LEDGERFLOW_CLIENT_ID": "cid",
    })
    assert (settings["source"], settings["host"], settings["client_id"], settings["client_secret"]) == (
        "1009", "http://127.0.0.1:9999", "cid", None)
    with pytest.raises(SystemExit, match="LEDGERFLOW_SOURCE"):
        example.settings_from_environment({"LEDGERFLOW_CLIENT_ID": "cid"})


def test_login_redirects_to_the_ledgerflow_authorize_url(app_and_identity) -> None:
    client, identity = app_and_identity
    response = client.get("/login")
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}" == identity.server.host
    assert location.path == f"/{SOURCE}/identity/connect/authorize"
    params = parse_qs(location.query)
    assert params["client_id"] == [CLIENT_ID] and params["redirect_uri"] == [REDIRECT_URI]
    assert params["code_challenge_method"] == ["S256"] and params["nonce"][0]
    with client.session_transaction() as session:
        assert params["state"] == [session["pending_login"]["state"]]


def test_a_callback_with_the_wrong_state_is_refused_without_exchanging(app_and_identity) -> None:
    client, identity = app_and_identity
    login(client)
    response = client.get("/callback?code=abc&state=forged")
    assert response.status_code == 400 and b"state" in response.data
    assert identity.server.requests_to(f"/{SOURCE}/connect/token") == []


def test_sign_in_then_read_connections_and_invoices(app_and_identity) -> None:
    client, identity = app_and_identity
    params = login(client)
    server = identity.server
    server.answer("POST", f"/{SOURCE}/connect/token", 200, {
        "access_token": "access-1", "refresh_token": "refresh-1", "expires_in": 1800, "token_type": "Bearer",
        "scope": params["scope"], "id_token": identity.mint(nonce=params["nonce"], email="owner@example.com"),
    })
    server.answer("GET", f"/{SOURCE}/connections", 200, [{
        "id": "8b2d7c4e-0000-4000-8000-000000000001", "tenantId": TENANT, "tenantType": "ORGANISATION",
        "tenantName": "QuickBooks company",
    }])
    server.answer("GET", f"/{SOURCE}/api.xro/2.0/Invoices", 200, {"Invoices": [
        {"InvoiceID": "8b2d7c4e-0000-4000-8000-000000000003", "InvoiceNumber": "INV-1", "Type": "ACCREC",
         "Status": "AUTHORISED", "Total": 12.5},
    ]})

    response = client.get(f"/callback?code=the-code&state={params['state']}")
    assert response.status_code == 302, response.data
    (exchange,) = server.requests_to(f"/{SOURCE}/connect/token")
    assert exchange.form["code"] == ["the-code"] and exchange.form["redirect_uri"] == [REDIRECT_URI]
    assert "code_verifier" in exchange.form
    assert b"owner@example.com" in client.get("/").data

    assert client.get("/connections").get_json() == [
        {"tenant_id": TENANT, "tenant_name": "QuickBooks company", "tenant_type": "ORGANISATION"}
    ]
    invoices = client.get("/invoices").get_json()
    assert [invoice["InvoiceNumber"] for invoice in invoices["Invoices"]] == ["INV-1"]
    (call,) = server.requests_to(f"/{SOURCE}/api.xro/2.0/Invoices")
    assert call.headers["xero-tenant-id"] == TENANT and call.headers["authorization"] == "Bearer access-1"


def test_a_token_with_the_wrong_nonce_is_refused(app_and_identity) -> None:
    client, identity = app_and_identity
    params = login(client)
    identity.server.answer("POST", f"/{SOURCE}/connect/token", 200, {
        "access_token": "a", "expires_in": 1800, "scope": "openid", "id_token": identity.mint(nonce="replayed"),
    })
    response = client.get(f"/callback?code=c&state={params['state']}")
    assert response.status_code == 502 and b"nonce check failed" in response.data
    assert client.get("/connections").status_code == 401
