"""The sandbox refuses what Ledgerflow (and RFC 6749 / 7636 / 7009) refuse, with the right status
and error, because users test their apps' failure handling against it."""

from __future__ import annotations

import base64
import logging

import jwt
import pytest

from ledgerflow_xero import TokenRequestError, exchange_code
from ledgerflow_xero.sandbox.authority import CODE_LIFETIME, pkce_challenge

from .conftest import VERIFIER

QBO, SAGE = 1004, 1009


def _basic(client_id: str, secret: str) -> str:
    return base64.b64encode(f"{client_id}:{secret}".encode()).decode()


# --- authorization codes ------------------------------------------------------------------------


def test_a_reused_code_is_refused_and_revokes_what_it_issued(raw):
    code = raw.code(QBO)
    first = raw.exchange(QBO, code)
    assert first.status == 200
    again = raw.exchange(QBO, code)
    assert (again.status, again.json["error"]) == (400, "invalid_grant")
    assert "already used" in again.json["error_description"]
    tenant_id = raw.sandbox.organisation(QBO).tenant_id
    assert raw.api(QBO, "/Organisation", first.json["access_token"], tenant_id).status == 401
    refresh = raw.token(QBO, {"grant_type": "refresh_token", "refresh_token": first.json["refresh_token"]})
    assert (refresh.status, refresh.json["error"]) == (400, "invalid_grant")


def test_a_wrong_code_verifier_is_refused(raw):
    answer = raw.exchange(QBO, raw.code(QBO), code_verifier="w" * 43)
    assert (answer.status, answer.json["error"]) == (400, "invalid_grant")
    assert "code_verifier" in answer.json["error_description"]


def test_a_missing_code_verifier_is_refused_when_the_login_used_pkce(raw):
    answer = raw.exchange(QBO, raw.code(QBO), code_verifier=None)
    assert (answer.status, answer.json["error"]) == (400, "invalid_grant")


def test_a_code_verifier_without_a_challenge_is_refused(raw):
    answer = raw.exchange(QBO, raw.code(QBO, verifier=None))
    assert (answer.status, answer.json["error"]) == (400, "invalid_grant")


def test_a_wrong_redirect_uri_at_the_token_endpoint_is_refused(raw):
    answer = raw.exchange(QBO, raw.code(QBO), redirect_uri="http://localhost:5000/elsewhere")
    assert (answer.status, answer.json["error"]) == (400, "invalid_grant")
    assert "redirect_uri" in answer.json["error_description"]


def test_an_expired_code_is_refused(raw):
    code = raw.code(QBO)
    raw.sandbox.advance_clock(CODE_LIFETIME + 1)
    answer = raw.exchange(QBO, code)
    assert (answer.status, answer.json["error"]) == (400, "invalid_grant")
    assert "expired" in answer.json["error_description"]


def test_a_code_from_one_source_is_refused_at_another(raw):
    answer = raw.exchange(SAGE, raw.code(QBO))
    assert (answer.status, answer.json["error"]) == (400, "invalid_grant")


# --- the authorize endpoint ---------------------------------------------------------------------


def test_an_unregistered_redirect_uri_gets_an_error_page_not_a_redirect(raw):
    answer = raw.authorize(QBO, redirect_uri="https://attacker.example/callback")
    assert answer.status == 400 and "Location" not in answer.headers
    assert b"invalid_request" in answer.body


def test_an_unknown_client_gets_an_error_page_not_a_redirect(raw):
    answer = raw.authorize(QBO, client_id="nobody")
    assert answer.status == 400 and "Location" not in answer.headers


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": ""}, "invalid_scope"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "too-short"}, "invalid_request"),
    ],
)
def test_bad_authorize_requests_go_back_to_the_client_with_the_error_and_state(raw, overrides, error):
    answer = raw.authorize(QBO, **overrides)
    assert answer.status == 302
    query = answer.location_query
    assert answer.headers["Location"].startswith(raw.sandbox.redirect_uri + "?")
    assert (query["error"], query["state"]) == (error, "state-123") and "code" not in query


# --- client authentication ----------------------------------------------------------------------


def test_a_wrong_client_secret_is_refused_in_the_form(raw):
    answer = raw.exchange(QBO, raw.code(QBO), client_secret="not-the-secret")
    assert (answer.status, answer.json["error"]) == (401, "invalid_client")


def test_a_wrong_client_secret_is_refused_with_basic_auth(raw):
    form = {"grant_type": "authorization_code", "code": raw.code(QBO), "redirect_uri": raw.sandbox.redirect_uri,
            "code_verifier": VERIFIER}
    answer = raw.token(QBO, form, basic=_basic(raw.sandbox.client_id, "not-the-secret"))
    assert (answer.status, answer.json["error"]) == (401, "invalid_client")
    assert answer.headers["WWW-Authenticate"].startswith("Basic")
    good = raw.token(QBO, form, basic=_basic(raw.sandbox.client_id, raw.sandbox.client_secret))
    assert good.status == 200


def test_exchange_code_reports_the_refusal_without_the_secret(sandbox, raw):
    code = raw.code(QBO)
    with pytest.raises(TokenRequestError) as refused:
        exchange_code(code, client_id=sandbox.client_id, client_secret="wrong-secret-value",
                      redirect_uri=sandbox.redirect_uri, source=QBO, host=sandbox.base_url, code_verifier=VERIFIER)
    assert (refused.value.status, refused.value.error) == (401, "invalid_client")
    assert "wrong-secret-value" not in str(refused.value) and code not in str(refused.value)


# --- refresh tokens -----------------------------------------------------------------------------


def test_a_rotated_refresh_token_is_refused(raw):
    tokens = raw.tokens(QBO)
    first = raw.token(QBO, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert first.status == 200 and first.json["refresh_token"] != tokens["refresh_token"]
    again = raw.token(QBO, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert (again.status, again.json["error"]) == (400, "invalid_grant")
    newest = raw.token(QBO, {"grant_type": "refresh_token", "refresh_token": first.json["refresh_token"]})
    assert newest.status == 200


def test_a_revoked_refresh_token_is_refused_and_its_connections_are_gone(raw):
    tokens = raw.tokens(QBO)
    revoked = raw.send("POST", raw.url(QBO, "revocation"), encode_multipart=False, fields={
        "token": tokens["refresh_token"], "client_id": raw.sandbox.client_id,
        "client_secret": raw.sandbox.client_secret})
    assert revoked.status == 200
    refresh = raw.token(QBO, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert (refresh.status, refresh.json["error"]) == (400, "invalid_grant")
    connections = raw.send("GET", raw.url(QBO, "connections"),
                           headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert connections.status == 401


def test_another_client_cannot_refresh_or_revoke_a_token(sandbox, http):
    from ledgerflow_xero.sandbox import running_sandbox

    from .conftest import Raw

    other = "other-app:other-secret:http://localhost:5000/callback"
    from ledgerflow_xero.sandbox import parse_client_spec

    with running_sandbox(clients=[parse_client_spec(other)]) as two_clients:
        raw = Raw(two_clients, http)
        tokens = raw.tokens(QBO)
        as_other = {"client_id": "other-app", "client_secret": "other-secret"}
        refresh = raw.token(QBO, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], **as_other})
        assert (refresh.status, refresh.json["error"]) == (400, "invalid_grant")
        revoke = raw.send("POST", raw.url(QBO, "revocation"), encode_multipart=False,
                          fields={"token": tokens["refresh_token"], **as_other})
        assert (revoke.status, revoke.json["error"]) == (400, "invalid_request")
        still = raw.token(QBO, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
        assert still.status == 200


# --- access tokens at the API -------------------------------------------------------------------


def test_an_expired_access_token_is_refused(raw):
    tokens = raw.tokens(QBO)
    tenant_id = raw.sandbox.organisation(QBO).tenant_id
    assert raw.api(QBO, "/Organisation", tokens["access_token"], tenant_id).status == 200
    raw.sandbox.advance_clock(tokens["expires_in"] + 1)
    answer = raw.api(QBO, "/Organisation", tokens["access_token"], tenant_id)
    assert answer.status == 401
    assert answer.json["Title"] == "Unauthorized" and answer.json["Detail"].startswith("TokenExpired")
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]


def test_a_1004_token_is_refused_on_1009(raw):
    tokens = raw.tokens(QBO)
    for tenant_id in (raw.sandbox.organisation(QBO).tenant_id, raw.sandbox.organisation(SAGE).tenant_id):
        answer = raw.api(SAGE, "/Organisation", tokens["access_token"], tenant_id)
        assert (answer.status, answer.json["Status"]) == (401, 401)
        assert "AuthenticationUnsuccessful" in answer.json["Detail"]
    connections = raw.send("GET", raw.url(SAGE, "connections"),
                           headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert connections.status == 401


def test_a_tenant_not_in_the_connection_is_forbidden(raw):
    tokens = raw.tokens(QBO)
    answer = raw.api(QBO, "/Invoices", tokens["access_token"], raw.sandbox.organisation(SAGE).tenant_id)
    assert answer.status == 403
    assert answer.json["Title"] == "Forbidden" and answer.json["Detail"].startswith("AuthorizationUnsuccessful")
    missing = raw.api(QBO, "/Invoices", tokens["access_token"], None)
    assert missing.status == 403


def test_a_deleted_connection_takes_its_tenant_away(raw):
    tokens = raw.tokens(QBO)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    connections = raw.send("GET", raw.url(QBO, "connections"), headers=bearer).json
    deleted = raw.send("DELETE", f"{raw.url(QBO, 'connections')}/{connections[0]['id']}", headers=bearer)
    assert deleted.status == 204
    assert raw.send("GET", raw.url(QBO, "connections"), headers=bearer).json == []
    answer = raw.api(QBO, "/Organisation", tokens["access_token"], connections[0]["tenantId"])
    assert answer.status == 403


@pytest.mark.parametrize("token", [None, "not-a-jwt"])
def test_no_or_malformed_bearer_token_is_unauthorized(raw, token):
    answer = raw.api(QBO, "/Organisation", token, raw.sandbox.organisation(QBO).tenant_id)
    assert (answer.status, answer.json["Title"]) == (401, "Unauthorized")


def test_a_token_signed_by_another_key_is_unauthorized(raw):
    from cryptography.hazmat.primitives.asymmetric import rsa

    claims = jwt.decode(raw.tokens(QBO)["access_token"], options={"verify_signature": False})
    forged = jwt.encode(claims, rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256",
                        headers={"kid": raw.sandbox.app.authority.kid})
    assert raw.api(QBO, "/Organisation", forged, raw.sandbox.organisation(QBO).tenant_id).status == 401


def test_an_unknown_source_is_a_xero_shaped_404(raw):
    answer = raw.send("GET", raw.sandbox.base_url + "/1013/connections")
    assert answer.status == 404
    assert set(answer.json) == {"Type", "Title", "Status", "Detail", "Instance", "Extensions"}
    assert answer.json["Status"] == 404 and "1013" in answer.json["Detail"]


# --- secrets stay out of the log ----------------------------------------------------------------


def test_the_request_log_has_one_line_per_request_and_no_secrets(raw, caplog):
    caplog.set_level(logging.INFO, logger="ledgerflow_xero.sandbox")
    authorize = raw.authorize(QBO)
    code = authorize.location_query["code"]
    tokens = raw.exchange(QBO, code).json
    raw.api(QBO, "/Organisation", tokens["access_token"], raw.sandbox.organisation(QBO).tenant_id)
    lines = [r.getMessage() for r in caplog.records if r.name == "ledgerflow_xero.sandbox"]
    assert len(lines) == 3
    assert lines[0].startswith("GET /1004/identity/connect/authorize 302")
    text = "\n".join(lines)
    for secret in (code, VERIFIER, pkce_challenge(VERIFIER), raw.sandbox.client_secret, tokens["access_token"],
                   tokens["refresh_token"], tokens["id_token"], "state-123"):
        assert secret not in text


def test_a_refresh_token_presented_at_another_source_is_refused_and_still_works_at_its_own(raw):
    tokens = raw.tokens(QBO)
    elsewhere = raw.token(SAGE, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert (elsewhere.status, elsewhere.json["error"]) == (400, "invalid_grant")
    home = raw.token(QBO, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert home.status == 200


def test_an_id_token_is_not_an_access_token(raw):
    tokens = raw.tokens(QBO)
    answer = raw.api(QBO, "/Organisation", tokens["id_token"], raw.sandbox.organisation(QBO).tenant_id)
    assert answer.status == 401
