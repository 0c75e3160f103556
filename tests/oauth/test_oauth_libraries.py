"""The README's recipes: oauth_endpoints() plugged into requests-oauthlib and Authlib, run
against the loopback stand-in, and their token sets made fit for xero-python."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.integrations import flask_client
from flask import Flask, jsonify
from requests_oauthlib import OAuth2Session
from xero_python.api_client.oauth2 import OAuth2Token

from ledgerflow_xero import normalise_token_set, oauth_endpoints, validate_id_token

from ..support import LoopbackServer
from .conftest import CLIENT_ID, CLIENT_SECRET, SOURCE, Identity

REDIRECT_URI = "http://localhost:5000/callback"
SCOPES = ["openid", "profile", "email", "accounting.transactions", "offline_access"]


def token_answer(**extra):
    return dict({"access_token": "access-1", "refresh_token": "refresh-1", "expires_in": 1800,
                 "token_type": "Bearer", "scope": " ".join(SCOPES)}, **extra)


def fits_xero_python(token_set) -> bool:
    token = OAuth2Token(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    token.update_token(**token_set)  # raises TypeError for a key xero-python does not know
    return token.scope == SCOPES and bool(token.can_refresh_access_token())


def test_requests_oauthlib_with_endpoints(loopback: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the stand-in is http on loopback
    loopback.answer("POST", f"/{SOURCE}/connect/token", 200, token_answer())
    ledgerflow = oauth_endpoints(SOURCE, host=loopback.host)

    oauth = OAuth2Session(CLIENT_ID, redirect_uri=REDIRECT_URI, scope=SCOPES, pkce="S256")
    url, state = oauth.authorization_url(ledgerflow.authorize_url)
    assert urlsplit(url).path == f"/{SOURCE}/identity/connect/authorize"
    assert parse_qs(urlsplit(url).query)["code_challenge_method"] == ["S256"]
    token = oauth.fetch_token(ledgerflow.token_url, client_secret=CLIENT_SECRET,
                              authorization_response=f"{REDIRECT_URI}?code=the-code&state={state}")

    (request,) = loopback.requests
    assert request.path == f"/{SOURCE}/connect/token" and request.form["code"] == ["the-code"]
    assert "code_verifier" in request.form
    assert fits_xero_python(normalise_token_set(token))


def test_authlib_register_with_endpoints(identity: Identity, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the stand-in is http on loopback
    server = identity.server
    ledgerflow = oauth_endpoints(SOURCE, host=server.host)
    app = Flask(__name__)
    app.secret_key = "test-only"
    oauth = flask_client.OAuth(app)
    oauth.register(
        name="ledgerflow",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        authorize_url=ledgerflow.authorize_url,
        access_token_url=ledgerflow.token_url,
        api_base_url=ledgerflow.api_base_url,
        jwks_uri=ledgerflow.jwks_uri,
        client_kwargs={"scope": " ".join(SCOPES), "code_challenge_method": "S256"},
    )

    @app.route("/login")
    def login():
        return oauth.ledgerflow.authorize_redirect(REDIRECT_URI)

    @app.route("/callback")
    def callback():
        token = oauth.ledgerflow.authorize_access_token()
        claims = validate_id_token(token["id_token"], client_id=CLIENT_ID, source=SOURCE, host=server.host)
        return jsonify(token_set=normalise_token_set(token), email=claims["email"])

    client = app.test_client()
    location = urlsplit(client.get("/login").headers["Location"])
    params = {name: values[0] for name, values in parse_qs(location.query).items()}
    assert f"{location.scheme}://{location.netloc}{location.path}" == ledgerflow.authorize_url
    assert params["code_challenge_method"] == "S256"
    server.answer("POST", f"/{SOURCE}/connect/token", 200,
                  token_answer(id_token=identity.mint(nonce=params["nonce"], email="owner@example.com")))

    answer = client.get(f"/callback?code=the-code&state={params['state']}").get_json()

    assert answer["email"] == "owner@example.com"
    assert fits_xero_python(answer["token_set"])
    (exchange,) = server.requests_to(f"/{SOURCE}/connect/token")
    assert exchange.form["code"] == ["the-code"] and "code_verifier" in exchange.form
    assert server.requests_to(identity.jwks_path)  # Authlib read the keys from jwks_uri
