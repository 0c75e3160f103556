"""A minimal Flask app that signs in through Ledgerflow and reads a company with xero-python.

It is xero-python's usual Flask starter with the sign-in done by ``ledgerflow_xero``:
the same code runs against the real Ledgerflow (with your app's credentials) or against
a local stand-in (``LEDGERFLOW_HOST=http://127.0.0.1:PORT``).

Settings, from the environment:

    LEDGERFLOW_SOURCE         1001, 1004, 1009 or a name such as quickbooks (required)
    LEDGERFLOW_HOST           default https://xero.api.ledgerscope.com
    LEDGERFLOW_CLIENT_ID      your Ledgerflow app's client id (required)
    LEDGERFLOW_CLIENT_SECRET  its secret (leave unset for a PKCE-only public client)
    LEDGERFLOW_REDIRECT_URI   default http://localhost:5000/callback (register it with the app)
    LEDGERFLOW_SCOPE          default "openid profile email accounting.transactions offline_access"
    FLASK_SECRET_KEY          signs the session cookie; random per start when unset

Run it:

    pip install "ledgerflow-xero[examples]"
    LEDGERFLOW_SOURCE=quickbooks LEDGERFLOW_CLIENT_ID=... LEDGERFLOW_CLIENT_SECRET=... \\
        flask --app examples/flask_app.py run

then open http://localhost:5000/. Tokens are kept in this process's memory, keyed by a
random id in the session cookie (tokens are too big for a cookie); use a database in a
real app.
"""

from __future__ import annotations

import os
import secrets
import threading
from typing import Any, Dict, Mapping

from flask import Flask, abort, jsonify, redirect, request, session, url_for
from xero_python.accounting import AccountingApi
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.api_client.serializer import serialize
from xero_python.identity import IdentityApi

from ledgerflow_xero import (
    DEFAULT_HOST,
    ApiClient,
    Configuration,
    StateMismatchError,
    TokenRequestError,
    TokenValidationError,
    authorization_url,
    exchange_code,
    normalise_token_set,
    validate_id_token,
)

DEFAULT_SCOPE = "openid profile email accounting.transactions offline_access"


def settings_from_environment(environ: Mapping[str, str] = os.environ) -> Dict[str, Any]:
    """The app's settings from ``LEDGERFLOW_*`` environment variables."""
    missing = [name for name in ("LEDGERFLOW_SOURCE", "LEDGERFLOW_CLIENT_ID") if not environ.get(name)]
    if missing:
        raise SystemExit(f"set {' and '.join(missing)} (see the top of examples/flask_app.py)")
    return {
        "source": environ["LEDGERFLOW_SOURCE"],
        "host": environ.get("LEDGERFLOW_HOST") or DEFAULT_HOST,
        "client_id": environ["LEDGERFLOW_CLIENT_ID"],
        "client_secret": environ.get("LEDGERFLOW_CLIENT_SECRET") or None,
        "redirect_uri": environ.get("LEDGERFLOW_REDIRECT_URI") or "http://localhost:5000/callback",
        "scope": environ.get("LEDGERFLOW_SCOPE") or DEFAULT_SCOPE,
        "secret_key": environ.get("FLASK_SECRET_KEY") or secrets.token_hex(32),
    }


def create_app(settings: Dict[str, Any] | None = None) -> Flask:
    """The Flask app: ``/`` ``/login`` ``/callback`` ``/connections`` ``/invoices`` ``/logout``."""
    settings = settings or settings_from_environment()
    app = Flask(__name__)
    app.secret_key = settings["secret_key"]
    token_store: Dict[str, Dict[str, Any]] = {}
    store_lock = threading.Lock()

    def session_id() -> str:
        if "sid" not in session:
            session["sid"] = secrets.token_urlsafe(32)
        return session["sid"]

    def stored_token() -> Dict[str, Any] | None:
        with store_lock:
            return token_store.get(session.get("sid", ""))

    def api_client() -> ApiClient:
        """A xero-python client for the signed-in user, routed to Ledgerflow."""
        sid = session_id()
        if stored_token() is None:
            abort(401, "sign in first: /login")

        def save(token: Dict[str, Any]) -> None:
            with store_lock:  # after a refresh, keep only what xero-python reads back
                token_store[sid] = dict(normalise_token_set(token))

        return ApiClient(
            Configuration(
                oauth2_token=OAuth2Token(client_id=settings["client_id"], client_secret=settings["client_secret"]),
                source=settings["source"],
                host=settings["host"],
            ),
            pool_threads=1,
            oauth2_token_getter=lambda: token_store[sid],
            oauth2_token_saver=save,
        )

    @app.route("/")
    def index() -> Any:
        if stored_token() is None:
            return f'<a href="{url_for("login")}">Sign in through Ledgerflow</a>'
        return (
            f"Signed in as {session.get('user', 'unknown')}. "
            f'<a href="{url_for("connections")}">connections</a> · '
            f'<a href="{url_for("invoices")}">invoices</a> · <a href="{url_for("logout")}">sign out</a>'
        )

    @app.route("/login")
    def login() -> Any:
        nonce = secrets.token_urlsafe(16)
        login_request = authorization_url(
            settings["client_id"], settings["redirect_uri"], settings["scope"],
            source=settings["source"], host=settings["host"], nonce=nonce,
        )
        session["pending_login"] = {
            "state": login_request.state,
            "code_verifier": login_request.code_verifier,
            "nonce": nonce,
        }
        return redirect(login_request.url)

    @app.route("/callback")
    def callback() -> Any:
        pending = session.pop("pending_login", None) or {}
        if "error" in request.args:
            return f"Ledgerflow refused the sign-in: {request.args['error']}", 400
        try:
            token = exchange_code(
                request.args.get("code", ""),
                client_id=settings["client_id"],
                client_secret=settings["client_secret"],
                redirect_uri=settings["redirect_uri"],
                source=settings["source"],
                host=settings["host"],
                code_verifier=pending.get("code_verifier"),
                expected_state=pending.get("state"),
                returned_state=request.args.get("state"),
                scope=settings["scope"],
            )
            claims = {}
            if token.get("id_token"):
                claims = validate_id_token(
                    token["id_token"], client_id=settings["client_id"], source=settings["source"],
                    host=settings["host"], nonce=pending.get("nonce"),
                )
        except StateMismatchError as error:
            return f"Sign-in refused: {error}", 400
        except (TokenRequestError, TokenValidationError) as error:
            return f"Sign-in failed: {error}", 502
        with store_lock:
            token_store[session_id()] = dict(token)
        session["user"] = claims.get("email") or claims.get("sub") or "unknown"
        return redirect(url_for("index"))

    @app.route("/connections")
    def connections() -> Any:
        found = IdentityApi(api_client()).get_connections()
        return jsonify([{"tenant_id": c.tenant_id, "tenant_name": c.tenant_name, "tenant_type": c.tenant_type}
                        for c in found])

    @app.route("/invoices")
    def invoices() -> Any:
        client = api_client()
        tenant_id = request.args.get("tenant")
        if not tenant_id:
            tenants = IdentityApi(client).get_connections()
            if not tenants:
                return "No connected company: sign in again and pick one.", 404
            tenant_id = tenants[0].tenant_id
        found = AccountingApi(client).get_invoices(tenant_id)
        return jsonify(serialize(found))  # the JSON shape the API answered in

    @app.route("/logout")
    def logout() -> Any:
        with store_lock:
            token_store.pop(session.get("sid", ""), None)
        session.clear()
        return redirect(url_for("index"))

    return app


if __name__ == "__main__":  # python examples/flask_app.py
    create_app().run(port=5000)
