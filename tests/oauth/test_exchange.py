"""The code exchange against a real loopback token server, and token-set normalisation."""

from __future__ import annotations

import base64
import socket
import time

import pytest
from xero_python.api_client.oauth2 import OAuth2Token

from ledgerflow_xero import (
    OAuthParameterError,
    StateMismatchError,
    TokenRequestError,
    exchange_code,
    normalise_token_set,
)

from ..support import LoopbackServer
from .conftest import CLIENT_ID, CLIENT_SECRET, SOURCE

TOKEN_PATH = f"/{SOURCE}/connect/token"
CODE = "the-authorization-code"
VERIFIER = "v" * 43 + "-verifier"
REDIRECT_URI = "https://app.example/callback"
ANSWER = {
    "id_token": "id.token.value",
    "access_token": "access-token-1",
    "expires_in": 1800,
    "token_type": "Bearer",
    "refresh_token": "refresh-token-1",
    "scope": "openid profile email accounting.transactions offline_access",
}


def exchange(server: LoopbackServer, **overrides):
    arguments = dict(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
        source=SOURCE,
        host=server.host,
        code_verifier=VERIFIER,
    )
    arguments.update(overrides)
    return exchange_code(arguments.pop("code", CODE), **arguments)


def test_posts_exactly_the_code_grant_form_with_basic_client_authentication(loopback: LoopbackServer) -> None:
    loopback.answer("POST", TOKEN_PATH, 200, ANSWER)
    exchange(loopback)
    (request,) = loopback.requests
    assert (request.method, request.path) == ("POST", "/1004/connect/token")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.form == {
        "grant_type": ["authorization_code"],
        "code": [CODE],
        "redirect_uri": [REDIRECT_URI],
        "code_verifier": [VERIFIER],
    }
    scheme, _, credentials = request.headers["authorization"].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(credentials).decode() == f"{CLIENT_ID}:{CLIENT_SECRET}"


def test_client_secret_post_puts_the_credentials_in_the_form(loopback: LoopbackServer) -> None:
    loopback.answer("POST", TOKEN_PATH, 200, ANSWER)
    exchange(loopback, client_auth="post", code_verifier=None)
    (request,) = loopback.requests
    assert request.form == {
        "grant_type": ["authorization_code"],
        "code": [CODE],
        "redirect_uri": [REDIRECT_URI],
        "client_id": [CLIENT_ID],
        "client_secret": [CLIENT_SECRET],
    }
    assert "authorization" not in request.headers


def test_a_public_pkce_client_sends_its_id_and_no_secret(loopback: LoopbackServer) -> None:
    loopback.answer("POST", TOKEN_PATH, 200, ANSWER)
    exchange(loopback, client_secret=None)
    (request,) = loopback.requests
    assert request.form["client_id"] == [CLIENT_ID]
    assert "client_secret" not in request.form and "authorization" not in request.headers


def test_returns_the_token_set_xero_python_uses(loopback: LoopbackServer) -> None:
    loopback.answer("POST", TOKEN_PATH, 200, dict(ANSWER, ext_expires_in=3600))
    before = time.time()
    token_set = exchange(loopback)
    after = time.time()
    assert {key: value for key, value in token_set.items() if key != "expires_at"} == {
        "access_token": "access-token-1",
        "refresh_token": "refresh-token-1",
        "id_token": "id.token.value",
        "token_type": "Bearer",
        "expires_in": 1800,
        "scope": ["openid", "profile", "email", "accounting.transactions", "offline_access"],
    }
    assert before + 1800 <= token_set["expires_at"] <= after + 1800
    # xero-python's token object accepts it as it is (an unknown key would raise TypeError)
    token = OAuth2Token(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    token.update_token(**token_set)
    assert token.scope == token_set["scope"] and token.can_refresh_access_token()


def test_the_token_set_repr_hides_the_tokens(loopback: LoopbackServer) -> None:
    loopback.answer("POST", TOKEN_PATH, 200, ANSWER)
    token_set = exchange(loopback)
    for secret in ("access-token-1", "refresh-token-1", "id.token.value"):
        assert secret not in repr(token_set) and secret not in str(token_set)
    assert "accounting.transactions" in repr(token_set)


def test_state_mismatch_raises_before_any_request(loopback: LoopbackServer) -> None:
    loopback.answer("POST", TOKEN_PATH, 200, ANSWER)
    with pytest.raises(StateMismatchError, match="not the one the login redirect sent"):
        exchange(loopback, expected_state="state-a", returned_state="state-b")
    with pytest.raises(StateMismatchError, match="no state"):
        exchange(loopback, expected_state="state-a", returned_state=None)
    with pytest.raises(StateMismatchError, match="no expected state"):
        exchange(loopback, expected_state=None, returned_state="state-b")
    assert loopback.requests == []


def test_matching_state_lets_the_exchange_through(loopback: LoopbackServer) -> None:
    loopback.answer("POST", TOKEN_PATH, 200, ANSWER)
    assert exchange(loopback, expected_state="state-a", returned_state="state-a")["access_token"] == "access-token-1"
    assert len(loopback.requests) == 1


def test_an_oauth_error_body_becomes_token_request_error_without_secrets(loopback: LoopbackServer) -> None:
    # A server that echoes the code back must not get it into our message.
    loopback.answer("POST", TOKEN_PATH, 400, {"error": "invalid_grant", "error_description": f"code {CODE} expired"})
    with pytest.raises(TokenRequestError) as raised:
        exchange(loopback)
    error = raised.value
    assert (error.status, error.error) == (400, "invalid_grant")
    assert error.error_description == "code <redacted> expired"
    assert "HTTP 400" in str(error) and "invalid_grant" in str(error) and "/1004/connect/token" in str(error)
    for text in (str(error), repr(error), repr(error.args)):
        assert CLIENT_SECRET not in text and CODE not in text and VERIFIER not in text


def test_a_non_json_error_body_still_gives_the_status(loopback: LoopbackServer) -> None:
    loopback.answer("POST", TOKEN_PATH, 502, b"<html>bad gateway</html>")
    with pytest.raises(TokenRequestError) as raised:
        exchange(loopback)
    assert (raised.value.status, raised.value.error, raised.value.error_description) == (502, None, None)


def test_a_redirect_is_not_followed(loopback: LoopbackServer) -> None:
    loopback.answer("POST", TOKEN_PATH, 302, {})
    with pytest.raises(TokenRequestError) as raised:
        exchange(loopback)
    assert raised.value.status == 302 and len(loopback.requests) == 1


@pytest.mark.parametrize("answer", [{"token_type": "Bearer"}, b"not json", ["a", "list"]])
def test_a_success_without_an_access_token_is_refused(loopback: LoopbackServer, answer) -> None:
    loopback.answer("POST", TOKEN_PATH, 200, answer)
    with pytest.raises(TokenRequestError, match="HTTP 200"):
        exchange(loopback)


def test_an_unreachable_token_endpoint_raises_token_request_error() -> None:
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(TokenRequestError, match="could not be reached") as raised:
        exchange_code(CODE, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uri=REDIRECT_URI,
                      source=SOURCE, host=f"http://127.0.0.1:{port}", timeout=2)
    assert raised.value.status is None
    assert CLIENT_SECRET not in str(raised.value) and CODE not in str(raised.value)


def test_a_slow_token_endpoint_times_out(loopback: LoopbackServer) -> None:
    def slow(request):
        time.sleep(1.0)
        return 200, ANSWER

    loopback.answers[("POST", TOKEN_PATH)] = slow
    with pytest.raises(TokenRequestError, match="could not be reached"):
        exchange(loopback, timeout=0.2)


def test_bad_arguments_raise_before_any_request(loopback: LoopbackServer) -> None:
    with pytest.raises(OAuthParameterError, match="client_auth"):
        exchange(loopback, client_auth="jwt")
    with pytest.raises(OAuthParameterError, match="code"):
        exchange(loopback, code="")
    assert loopback.requests == []


# --- normalise_token_set ----------------------------------------------------------


def test_normalise_splits_a_string_scope_and_computes_expires_at() -> None:
    token_set = normalise_token_set({"access_token": "a", "expires_in": "1800", "scope": "openid offline_access"},
                                    issued_at=1_000_000.0)
    assert token_set["scope"] == ["openid", "offline_access"]
    assert token_set["expires_in"] == 1800
    assert token_set["expires_at"] == 1_001_800.0
    assert token_set["token_type"] == "Bearer"


def test_normalise_keeps_a_stored_expires_at_and_a_list_scope() -> None:
    stored = {"access_token": "a", "expires_in": 1800, "expires_at": 12345.5, "scope": ["openid"], "token_type": "x"}
    assert normalise_token_set(stored) == dict(stored, refresh_token=None, id_token=None)


def test_normalise_uses_the_requested_scope_when_the_answer_has_none() -> None:
    token_set = normalise_token_set({"access_token": "a"}, default_scope="openid offline_access")
    assert token_set["scope"] == ["openid", "offline_access"] and token_set["expires_at"] is None


@pytest.mark.parametrize(
    ("token", "named"),
    [({}, "access_token"), ({"access_token": "a", "expires_in": "soon"}, "expires_in"),
     ({"access_token": "a", "expires_in": True}, "expires_in"), ("a string", "mapping")],
)
def test_normalise_refuses_malformed_token_sets(token, named) -> None:
    with pytest.raises(OAuthParameterError, match=named):
        normalise_token_set(token)
