"""Token sets as stored and as answered: the normaliser, and a stored ``scope`` string."""

from __future__ import annotations

import time
from typing import Any

import pytest

from ledgerflow_xero import TokenRefreshError, TokenStore
from ledgerflow_xero.token_answer import stored_token, token_answer

from .faults import new_client
from .loopback import SCOPE, LoopbackServer


def test_a_stored_scope_string_is_sent_as_scope_names_not_spaced_out_characters(server: LoopbackServer) -> None:
    token = server.expired_set()
    token["scope"] = SCOPE  # a string, as token endpoints send it and many programs store it
    store = TokenStore(token)
    new_client(server, store).refresh_oauth2_token()
    assert server.forms[-1]["scope"] == SCOPE  # xero-python 15.2.0 alone sends "o p e n i d ..."
    assert store.token["scope"] == SCOPE.split()


def test_a_stored_set_with_extra_keys_still_refreshes(server: LoopbackServer) -> None:
    token = dict(server.expired_set(), x_refresh_token_expires_in=8726400, realmId="123")
    store = TokenStore(token)
    new_client(server, store).refresh_oauth2_token()
    assert store.token["refresh_token"] != token["refresh_token"] and "realmId" not in store.token


@pytest.mark.parametrize("answer", [
    {}, {"access_token": None}, {"access_token": ""}, {"access_token": "   "}, {"access_token": ["a"]},
])
def test_no_usable_access_token_is_a_token_refresh_error(answer: Any) -> None:
    with pytest.raises(TokenRefreshError, match="without a usable access_token"):
        token_answer(answer, url="http://127.0.0.1/1004/connect/token", previous_refresh_token="old")


def test_the_normaliser_fills_what_xero_python_requires() -> None:
    token, dropped = token_answer(
        {"access_token": "at", "expires_in": "1800", "x_refresh_token_expires_in": 1, "realmId": "9"},
        url="u", previous_refresh_token="old-rt", requested_scope="a b", issued_at=1000.0,
    )
    assert token == {"access_token": "at", "refresh_token": "old-rt", "token_type": "Bearer",
                     "expires_in": 1800, "expires_at": 2800.0, "scope": ["a", "b"]}
    assert dropped == ["realmId", "x_refresh_token_expires_in"]


def test_an_unusable_expires_in_leaves_no_expiry_rather_than_failing() -> None:
    token, _ = token_answer({"access_token": "at", "expires_in": "soon"}, url="u")
    assert token["expires_in"] is None and "expires_at" not in token


def test_stored_token_repairs_a_set_for_update_token() -> None:
    repaired = stored_token({"access_token": "a", "scope": "x y", "expires_at": str(time.time() + 60), "extra": 1})
    assert repaired["scope"] == ["x", "y"] and "extra" not in repaired and isinstance(repaired["expires_at"], float)
    assert set(repaired) == {"access_token", "refresh_token", "id_token", "token_type", "expires_in", "expires_at",
                             "scope"}
    assert stored_token(None) is None


def test_under_patch_a_plain_client_with_a_stored_scope_string_refreshes_right(server: LoopbackServer) -> None:
    from xero_python.api_client import ApiClient as XeroApiClient
    from xero_python.api_client.configuration import Configuration as XeroConfiguration
    from xero_python.api_client.oauth2 import OAuth2Token

    import ledgerflow_xero

    from .loopback import CLIENT_ID, CLIENT_SECRET

    token = dict(server.expired_set(), scope=SCOPE)
    store = TokenStore(token)
    with ledgerflow_xero.patched(source=1004, host=server.base_url):
        configuration = XeroConfiguration()
        # set after construction: xero-python's Configuration() hands out copies of its first
        # instance, ignoring the arguments of later calls (upstream issue 99)
        configuration.oauth2_token = OAuth2Token(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        client = XeroApiClient(configuration, pool_threads=1, oauth2_token_getter=store.get,
                               oauth2_token_saver=store.save)
        client.refresh_oauth2_token()
    assert server.forms[-1]["scope"] == SCOPE and store.token["refresh_token"] != token["refresh_token"]
