"""The identity side of the sandbox: authorize, token, revocation, connections, discovery.

Behaviour follows RFC 6749 (errors before a trusted redirect URI is known get a 400 page;
later ones go back to the client as ``?error=``), RFC 7636 (S256 only), RFC 7009
(revocation) and what Xero documents (single-use codes, refresh-token rotation, revoking
removes the app's connections, client credentials for custom connections).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import Callable, Dict, Tuple
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

from .authority import Authority, Grant, TokenRefused
from .clients import RegisteredClient
from .wire import Request, Response, json_response, oauth_error, problem

_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")  # RFC 6749 3.3
_PKCE_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
_PKCE_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
DEFAULT_CLIENT_CREDENTIALS_SCOPE = ("accounting.transactions", "accounting.settings", "accounting.contacts")


@dataclass(frozen=True)
class SourceEndpoints:
    """The URLs one source's discovery documents publish, all taken from the routing table."""

    issuer: str
    authorize: str
    token: str
    revocation: str
    jwks: str
    connections: str


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def unauthorized(detail: str) -> Response:
    return problem(401, detail, **{"WWW-Authenticate": 'Bearer error="invalid_token"'})


def _error_page(status: int, error: str, description: str) -> Response:
    body = (
        f"<!doctype html><title>{error}</title><h1>Sign-in failed: {html.escape(error)}</h1>"
        f"<p>{html.escape(description)}</p>"
    ).encode()
    return Response(status, body, {"Content-Type": "text/html; charset=utf-8"}, note=error)


def _redirect(uri: str, params: Dict[str, str], note: str) -> Response:
    parts = urlsplit(uri)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return Response(302, b"", {"Location": urlunsplit(parts._replace(query=query))}, note=note)


class Identity:
    """Request handlers for the identity endpoints of every source."""

    def __init__(
        self, authority: Authority, clients: Dict[str, RegisteredClient], endpoints: Dict[int, SourceEndpoints]
    ) -> None:
        self.authority = authority
        self.clients = clients
        self.endpoints = endpoints
        self.deny_consent = False  # Sandbox.deny_consent: the demo user declines every sign-in

    # --- GET /{source}/identity/connect/authorize --------------------------------------------
    def authorize(self, request: Request, source: int) -> Response:
        repeated = [name for name, values in request.query.items() if len(values) > 1]
        client = self.clients.get(request.param("client_id") or "")
        if client is None:
            return _error_page(400, "unauthorized_client", "unknown client_id")
        redirect_uri = request.param("redirect_uri")
        if not redirect_uri or redirect_uri not in client.redirect_uris:
            return _error_page(400, "invalid_request", "redirect_uri is missing or not registered for this client")
        state = request.param("state")

        def refuse(error: str, description: str) -> Response:
            params = {"error": error, "error_description": description}
            if state is not None:
                params["state"] = state
            return _redirect(redirect_uri, params, note=error)

        if repeated:
            return refuse("invalid_request", f"parameters sent more than once: {', '.join(sorted(repeated))}")
        if request.param("response_type") != "code":
            return refuse("unsupported_response_type", "response_type must be code")
        scope = tuple((request.param("scope") or "").split())
        if not scope or not all(_SCOPE_TOKEN.fullmatch(s) for s in scope):
            return refuse("invalid_scope", "scope is missing or malformed")
        challenge = request.param("code_challenge")
        method = request.param("code_challenge_method")
        if challenge is None:
            if method is not None:
                return refuse("invalid_request", "code_challenge_method without code_challenge")
            if client.is_public:
                return refuse("invalid_request", "a client without a secret must use PKCE (code_challenge)")
        else:
            if method != "S256":
                return refuse("invalid_request", "code_challenge_method must be S256")
            if not _PKCE_CHALLENGE.fullmatch(challenge):
                return refuse("invalid_request", "code_challenge must be 43 base64url characters (S256)")
        if self.deny_consent:
            return refuse("access_denied", "the user declined to connect the app")
        code = self.authority.issue_code(
            client_id=client.client_id,
            redirect_uri=redirect_uri,
            scope=scope,
            source=source,
            code_challenge=challenge,
            nonce=request.param("nonce"),
        )
        params = {"code": code, "scope": " ".join(scope)}
        if state is not None:
            params["state"] = state
        return _redirect(redirect_uri, params, note=f"consented client_id={client.client_id}")

    # --- POST /{source}/connect/token, /{source}/connect/revocation --------------------------
    def _authenticate_client(
        self, request: Request, form: Dict[str, str]
    ) -> Tuple[RegisteredClient | None, Response | None]:
        header = request.headers.get("authorization", "")
        scheme, _, encoded = header.partition(" ")
        used_basic = scheme.lower() == "basic"
        secret: str | None
        if used_basic:
            if "client_secret" in form:
                return None, oauth_error(400, "invalid_request", "use one client authentication method, not two")
            try:
                decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
                client_id, _, secret = decoded.partition(":")
                client_id, secret = unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))
            except (ValueError, UnicodeDecodeError):
                return None, self._invalid_client(True)
            if form.get("client_id") not in (None, client_id):
                return None, oauth_error(400, "invalid_request", "client_id in the form differs from Basic auth")
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret")
        client = self.clients.get(client_id)
        if client is None or not client.secret_matches(secret):
            return None, self._invalid_client(used_basic)
        return client, None

    @staticmethod
    def _invalid_client(used_basic: bool) -> Response:
        # RFC 6749 5.2: 401, with a challenge naming the scheme the client tried.
        headers = {"WWW-Authenticate": 'Basic realm="ledgerflow-sandbox"'} if used_basic else {}
        return oauth_error(401, "invalid_client", "client authentication failed", **headers)

    def _authenticated_form(
        self, request: Request
    ) -> Tuple[Dict[str, str], RegisteredClient | None, Response | None]:
        """The posted form and the client it authenticates, or the error answer to send."""
        form, error = self._read_form(request)
        if error:
            return form, None, error
        client, error = self._authenticate_client(request, form)
        return form, client, error

    def _read_form(self, request: Request) -> Tuple[Dict[str, str], Response | None]:
        if request.method != "POST":
            return {}, oauth_error(405, "invalid_request", "use POST", Allow="POST")
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return {}, oauth_error(400, "invalid_request", "the body must be application/x-www-form-urlencoded")
        repeats = request.form_repeats()
        if repeats:
            return {}, oauth_error(400, "invalid_request", f"parameters sent more than once: {', '.join(repeats)}")
        return request.form(), None

    def token(self, request: Request, source: int) -> Response:
        form, client, error = self._authenticated_form(request)
        if error:
            return error
        assert client is not None
        grant_type = form.get("grant_type")
        handlers: Dict[str, Callable[[Dict[str, str], RegisteredClient, int], Response]] = {
            "authorization_code": self._authorization_code,
            "refresh_token": self._refresh_token,
            "client_credentials": self._client_credentials,
        }
        handler = handlers.get(grant_type or "")
        if handler is None:
            return oauth_error(400, "unsupported_grant_type", f"grant_type must be one of {', '.join(handlers)}")
        response = handler(form, client, source)
        response.note = f"{grant_type} client_id={client.client_id} {response.note}".strip()
        return response

    def _authorization_code(self, form: Dict[str, str], client: RegisteredClient, source: int) -> Response:
        code, verifier = form.get("code"), form.get("code_verifier")
        if not code:
            return oauth_error(400, "invalid_request", "code is missing")
        if verifier is not None and not _PKCE_VERIFIER.fullmatch(verifier):
            return oauth_error(400, "invalid_grant", "code_verifier must be 43-128 unreserved characters")
        try:
            grant = self.authority.redeem_code(code, client.client_id, form.get("redirect_uri"), verifier, source)
        except ValueError as refusal:
            return oauth_error(400, "invalid_grant", str(refusal))
        return json_response(200, self.authority.token_response(grant, with_refresh=True), **_NO_STORE)

    def _refresh_token(self, form: Dict[str, str], client: RegisteredClient, source: int) -> Response:
        token = form.get("refresh_token")
        if not token:
            return oauth_error(400, "invalid_request", "refresh_token is missing")
        scope = tuple(form.get("scope", "").split()) or None
        try:
            grant = self.authority.refresh(token, client.client_id, scope, source)
        except LookupError as refusal:
            return oauth_error(400, "invalid_scope", str(refusal))
        except ValueError as refusal:
            return oauth_error(400, "invalid_grant", str(refusal))
        return json_response(200, self.authority.token_response(grant, with_refresh=True), **_NO_STORE)

    def _client_credentials(self, form: Dict[str, str], client: RegisteredClient, source: int) -> Response:
        if client.is_public:
            return oauth_error(400, "unauthorized_client", "a client without a secret cannot use client_credentials")
        scope = tuple(form.get("scope", "").split()) or DEFAULT_CLIENT_CREDENTIALS_SCOPE
        if not all(_SCOPE_TOKEN.fullmatch(s) for s in scope):
            return oauth_error(400, "invalid_scope", "scope is malformed")
        grant = self.authority.client_credentials_grant(client.client_id, source, scope)
        return json_response(200, self.authority.token_response(grant, with_refresh=False), **_NO_STORE)

    def revocation(self, request: Request, source: int) -> Response:
        form, client, error = self._authenticated_form(request)
        if error:
            return error
        assert client is not None
        token = form.get("token")
        if not token:
            return oauth_error(400, "invalid_request", "token is missing")
        if not self.authority.revoke(token, client.client_id):
            return oauth_error(400, "invalid_request", "token was not issued to this client")
        return Response(200, b"", dict(_NO_STORE), note=f"client_id={client.client_id}")

    # --- /{source}/connections ----------------------------------------------------------------
    def _grant_from_bearer(self, request: Request, source: int) -> Tuple[Grant | None, Response | None]:
        token = bearer_token(request)
        if token is None:
            return None, unauthorized("AuthenticationUnsuccessful: no bearer token")
        try:
            return self.authority.check_access_token(token, source).grant, None
        except TokenRefused as refusal:
            return None, unauthorized(refusal.detail)

    def connections(self, request: Request, source: int, connection_id: str | None) -> Response:
        grant, error = self._grant_from_bearer(request, source)
        if error:
            return error
        assert grant is not None
        if request.method == "GET" and connection_id is None:
            tenant_type = request.param("tenantType") or request.param("tenant_type")
            body = [
                {
                    "id": c.id,
                    "authEventId": c.auth_event_id,
                    "tenantId": c.tenant_id,
                    "tenantType": c.tenant_type,
                    "tenantName": c.tenant_name,
                    "createdDateUtc": _iso(c.created),
                    "updatedDateUtc": _iso(c.updated),
                }
                for c in self.authority.connections_for(grant)
                if tenant_type is None or c.tenant_type == tenant_type.upper()
            ]
            return json_response(200, body)
        if request.method == "DELETE" and connection_id:
            if self.authority.delete_connection(grant, connection_id):
                return Response(204)
            return problem(404, f"no connection {connection_id} for this token")
        return problem(405, "use GET /connections or DELETE /connections/{id}", Allow="GET, DELETE")

    # --- discovery ------------------------------------------------------------------------------
    def openid_configuration(self, request: Request, source: int) -> Response:
        urls = self.endpoints[source]
        return json_response(
            200,
            dict(
                self._metadata(urls),
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                claims_supported=[
                    "sub",
                    "iss",
                    "aud",
                    "exp",
                    "nbf",
                    "iat",
                    "auth_time",
                    "nonce",
                    "email",
                    "given_name",
                    "family_name",
                    "preferred_username",
                    "xero_userid",
                    "tenant_ids",
                ],
            ),
        )

    def oauth_server_metadata(self, request: Request, source: int) -> Response:
        return json_response(200, self._metadata(self.endpoints[source]))

    @staticmethod
    def _metadata(urls: SourceEndpoints) -> Dict[str, object]:
        return {
            "issuer": urls.issuer,
            "authorization_endpoint": urls.authorize,
            "token_endpoint": urls.token,
            "revocation_endpoint": urls.revocation,
            "jwks_uri": urls.jwks,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": [
                "openid",
                "profile",
                "email",
                "offline_access",
                "accounting.transactions",
                "accounting.transactions.read",
                "accounting.settings",
                "accounting.settings.read",
                "accounting.contacts",
                "accounting.contacts.read",
                "accounting.reports.read",
            ],
        }

    def jwks(self, request: Request, source: int) -> Response:
        return json_response(200, self.authority.jwks)


def _iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f0")
