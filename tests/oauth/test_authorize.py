"""The login redirect: its path, every parameter, state and PKCE (RFC 7636)."""

from __future__ import annotations

import base64
import hashlib
import re
import string
from urllib.parse import parse_qs, urlsplit

import pytest

import ledgerflow_xero
from ledgerflow_xero import (
    InvalidHostError,
    InvalidSourceError,
    OAuthParameterError,
    authorization_url,
    endpoints,
    oauth_endpoints,
)

SCOPES = ["openid", "profile", "email", "accounting.transactions", "offline_access"]


def query_of(url: str) -> dict:
    params = parse_qs(urlsplit(url).query, keep_blank_values=True)
    assert all(len(values) == 1 for values in params.values()), params
    return {name: values[0] for name, values in params.items()}


def test_url_has_the_ledgerflow_path_and_every_parameter() -> None:
    request = authorization_url("my-client", "https://app.example/callback", SCOPES, source=1004)
    split = urlsplit(request.url)
    assert (split.scheme, split.netloc, split.path) == (
        "https",
        "xero.api.ledgerscope.com",
        "/1004/identity/connect/authorize",
    )
    assert query_of(request.url) == {
        "response_type": "code",
        "client_id": "my-client",
        "redirect_uri": "https://app.example/callback",
        "scope": " ".join(SCOPES),
        "state": request.state,
        "code_challenge": query_of(request.url)["code_challenge"],
        "code_challenge_method": "S256",
    }
    assert "%20" in split.query and "+" not in split.query  # spaces in scope percent-encoded


def test_pkce_challenge_is_base64url_sha256_of_the_verifier_without_padding() -> None:
    request = authorization_url("c", "https://app.example/cb", "openid", source=1004)
    verifier = request.code_verifier
    assert verifier is not None
    assert 43 <= len(verifier) <= 128
    assert set(verifier) <= set(string.ascii_letters + string.digits + "-._~")
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    challenge = query_of(request.url)["code_challenge"]
    assert challenge == expected
    assert "=" not in challenge and len(challenge) == 43


def test_random_state_and_verifier_differ_between_calls_and_carry_at_least_128_bits() -> None:
    first = authorization_url("c", "https://app.example/cb", "openid", source=1004)
    second = authorization_url("c", "https://app.example/cb", "openid", source=1004)
    assert first.state != second.state
    assert first.code_verifier != second.code_verifier
    assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", first.state)  # URL-safe; 22 base64 chars = 132 bits


def test_given_state_is_sent_unchanged() -> None:
    request = authorization_url("c", "https://app.example/cb", "openid", source=1004, state="my-state-123")
    assert request.state == "my-state-123"
    assert query_of(request.url)["state"] == "my-state-123"


@pytest.mark.parametrize(
    "scope",
    [SCOPES, tuple(SCOPES), " ".join(SCOPES), "  openid profile\temail accounting.transactions  offline_access "],
)
def test_list_and_string_scopes_give_the_same_scope_parameter(scope) -> None:
    request = authorization_url("c", "https://app.example/cb", scope, source=1004)
    assert query_of(request.url)["scope"] == "openid profile email accounting.transactions offline_access"


def test_without_pkce_there_is_no_challenge_and_no_verifier() -> None:
    request = authorization_url("c", "https://app.example/cb", "openid", source=1009, pkce=False)
    assert request.code_verifier is None
    params = query_of(request.url)
    assert "code_challenge" not in params and "code_challenge_method" not in params
    assert urlsplit(request.url).path == "/1009/identity/connect/authorize"


def test_extra_parameters_pass_through() -> None:
    request = authorization_url("c", "https://app.example/cb", "openid", source=1001, nonce="n-1", prompt="login")
    params = query_of(request.url)
    assert params["nonce"] == "n-1" and params["prompt"] == "login"


def test_extra_parameters_cannot_override_the_ones_it_sets() -> None:
    with pytest.raises(OAuthParameterError, match="response_type"):
        authorization_url("c", "https://app.example/cb", "openid", source=1004, response_type="token")


def test_host_and_source_names_are_honoured() -> None:
    request = authorization_url("c", "https://app.example/cb", "openid", source="sage-accounting",
                                host="https://xero.api.ledgerscope.dev/")
    assert request.url.startswith("https://xero.api.ledgerscope.dev/1009/identity/connect/authorize?")


def test_repr_and_str_hide_the_verifier() -> None:
    request = authorization_url("c", "https://app.example/cb", "openid", source=1004)
    assert request.code_verifier is not None
    assert request.code_verifier not in repr(request)
    assert request.code_verifier not in str(request)
    assert "S256" in repr(request)


@pytest.mark.parametrize(
    ("kwargs", "error", "named"),
    [
        ({"scope": ""}, OAuthParameterError, "scope is empty"),
        ({"scope": []}, OAuthParameterError, "scope is empty"),
        ({"scope": ["openid", "has space"]}, OAuthParameterError, "'has space'"),
        ({"scope": ["openid", 3]}, OAuthParameterError, "3"),
        ({"scope": 42}, OAuthParameterError, "int"),
        ({"client_id": ""}, OAuthParameterError, "client_id"),
        ({"redirect_uri": None}, OAuthParameterError, "redirect_uri"),
        ({"source": 77}, InvalidSourceError, "77"),
        ({"host": "https://login.xero.com"}, InvalidHostError, "Xero host"),
        ({"host": "http://ledgerflow.example"}, InvalidHostError, "non-loopback"),
    ],
)
def test_bad_input_raises_a_typed_error_naming_it(kwargs, error, named) -> None:
    arguments = {"client_id": "c", "redirect_uri": "https://app.example/cb", "scope": "openid", "source": 1004}
    arguments.update(kwargs)
    with pytest.raises(error) as raised:
        authorization_url(arguments.pop("client_id"), arguments.pop("redirect_uri"), arguments.pop("scope"),
                          **arguments)
    assert isinstance(raised.value, ledgerflow_xero.LedgerflowError)
    assert named in str(raised.value)


def test_endpoints_come_from_the_routing_table() -> None:
    urls = oauth_endpoints(1009, host="https://xero.api.ledgerscope.dev")
    assert urls.as_dict() == {
        "authorize_url": "https://xero.api.ledgerscope.dev/1009/identity/connect/authorize",
        "token_url": "https://xero.api.ledgerscope.dev/1009/connect/token",
        "revocation_url": "https://xero.api.ledgerscope.dev/1009/connect/revocation",
        "jwks_uri": "https://xero.api.ledgerscope.dev/1009/.well-known/openid-configuration/jwks",
        "openid_configuration_url": "https://xero.api.ledgerscope.dev/1009/.well-known/openid-configuration",
        "api_base_url": "https://xero.api.ledgerscope.dev/1009/api.xro/2.0",
        "connections_url": "https://xero.api.ledgerscope.dev/1009/connections",
    }
    assert oauth_endpoints("quickbooks").token_url == "https://xero.api.ledgerscope.com/1004/connect/token"


def test_endpoints_agree_with_route_for_every_xero_url() -> None:
    from ledgerflow_xero.routing import XERO_JWKS_URL, XERO_URLS, route

    urls = oauth_endpoints(1001, host="http://127.0.0.1:8080")
    assert urls.authorize_url == route(XERO_URLS["authorize"], 1001, "http://127.0.0.1:8080")
    assert urls.token_url == route(XERO_URLS["token"], 1001, "http://127.0.0.1:8080")
    assert urls.jwks_uri == route(XERO_JWKS_URL, 1001, "http://127.0.0.1:8080")
    assert urls.connections_url == route(XERO_URLS["connections"], 1001, "http://127.0.0.1:8080")


def test_endpoints_is_the_earlier_name_of_oauth_endpoints():
    assert endpoints is oauth_endpoints
