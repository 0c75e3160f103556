"""Faults at Ledgerflow, acted out by the sandbox's fault switches: each one surfaces as a
typed exception with a useful message and no secret, and a failed refresh loses nothing."""

from __future__ import annotations

import time
from typing import Any, Iterator, List

import pytest
import urllib3
from xero_python.accounting import AccountingApi
from xero_python.exceptions import HTTPStatusException, RateLimitException

from ledgerflow_xero import (
    InvalidRetryPolicyError,
    LedgerflowError,
    MalformedResponseError,
    RetryPolicy,
    TokenRefreshError,
    TransportError,
)
from ledgerflow_xero.resilience import parse_retry_after
from ledgerflow_xero.sandbox import running_sandbox

from ..support import SignedIn

ACCOUNTING = "/api.xro/2.0/Organisation"
TOKEN = "/connect/token"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    with running_sandbox(seed=7) as running:
        yield running


@pytest.fixture
def signed_in(sandbox: Any) -> Iterator[SignedIn]:
    session = SignedIn(sandbox, 1004)
    yield session
    sandbox.faults.clear()


def error_texts(error: BaseException) -> str:
    """Message and repr of the error and of everything chained to it."""
    texts: List[str] = []
    seen = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current)]
        current = current.__cause__ or current.__context__
    return "\n".join(texts)


def assert_no_secret(text: str, session: SignedIn) -> None:
    for name, secret in session.secrets().items():
        assert secret not in text, f"the {name} leaked into: {text[:300]}"


@pytest.mark.parametrize("status", [500, 502])
def test_a_server_error_is_xero_pythons_typed_error(signed_in: SignedIn, status: int) -> None:
    signed_in.sandbox.faults.add("status", status=status, path=ACCOUNTING, times=1)
    with pytest.raises(HTTPStatusException) as caught:
        AccountingApi(signed_in.api_client).get_organisations(signed_in.tenant_id)
    assert caught.value.status == status
    assert f"HTTP {status}" in str(caught.value)  # the sandbox's error detail, passed through
    assert_no_secret(error_texts(caught.value), signed_in)
    # The next call is answered normally: nothing about the client was spoiled.
    assert AccountingApi(signed_in.api_client).get_organisations(signed_in.tenant_id).organisations


def test_429_without_a_policy_is_a_rate_limit_error_carrying_retry_after(signed_in: SignedIn) -> None:
    fault = signed_in.sandbox.faults.add("status", status=429, headers={"Retry-After": "0"}, path=ACCOUNTING)
    with pytest.raises(RateLimitException) as caught:
        AccountingApi(signed_in.api_client).get_organisations(signed_in.tenant_id)
    assert caught.value.headers["Retry-After"] == "0"
    # Without a policy nothing is retried and no Retry-After is slept (urllib3 would resend it
    # three more times, sleeping out each Retry-After)...
    assert fault.hits == 1
    assert_no_secret(error_texts(caught.value), signed_in)


def test_the_retry_policy_waits_what_retry_after_asks_then_succeeds(signed_in: SignedIn) -> None:
    slept: List[float] = []
    client = signed_in.new_client(retry=RetryPolicy(attempts=3, jitter=0, sleep=slept.append))
    fault = signed_in.sandbox.faults.add("status", status=429, headers={"Retry-After": "7"}, path=ACCOUNTING, times=2)
    organisation = AccountingApi(client).get_organisations(signed_in.tenant_id).organisations[0]
    assert organisation.name == signed_in.sandbox.organisation(1004).name
    assert slept == [7.0, 7.0] and fault.hits == 2  # the policy waited, not urllib3


def test_503_without_retry_after_backs_off_and_gives_up_after_the_attempts(signed_in: SignedIn) -> None:
    slept: List[float] = []
    client = signed_in.new_client(retry=RetryPolicy(attempts=3, backoff=0.5, jitter=0, sleep=slept.append))
    fault = signed_in.sandbox.faults.add("status", status=503, path=ACCOUNTING)
    with pytest.raises(HTTPStatusException) as caught:
        AccountingApi(client).get_organisations(signed_in.tenant_id)
    assert caught.value.status == 503
    assert slept == [0.5, 1.0] and fault.hits == 3


def test_a_wait_longer_than_max_wait_is_not_sat_out(signed_in: SignedIn) -> None:
    slept: List[float] = []
    client = signed_in.new_client(retry=RetryPolicy(max_wait=30, sleep=slept.append))
    signed_in.sandbox.faults.add("status", status=429, headers={"Retry-After": "86400"}, path=ACCOUNTING, times=1)
    with pytest.raises(RateLimitException):
        AccountingApi(client).get_organisations(signed_in.tenant_id)
    assert slept == []


def test_the_retry_policy_leaves_other_statuses_and_post_alone(signed_in: SignedIn) -> None:
    slept: List[float] = []
    client = signed_in.new_client(retry=RetryPolicy(sleep=slept.append))
    signed_in.sandbox.faults.add("status", status=500, path=ACCOUNTING, times=1)
    with pytest.raises(HTTPStatusException):
        AccountingApi(client).get_organisations(signed_in.tenant_id)
    assert slept == []
    policy = RetryPolicy()
    assert policy.wait_before_retry("POST", 429, "1", attempt=1) is None
    assert policy.wait_before_retry("PATCH", 503, "1", attempt=1) is None
    assert 1.0 <= policy.wait_before_retry("GET", 429, "1", attempt=1) <= 1.1  # type: ignore[operator]
    assert policy.wait_before_retry("GET", 429, "1", attempt=3) is None


def test_retry_after_as_an_http_date() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert parse_retry_after(" 12 ") == 12.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


@pytest.mark.parametrize("settings", [{"attempts": 0}, {"attempts": 1.5}, {"backoff": -1}, {"max_wait": float("inf")},
                                      {"methods": ["GET", "POST"]}])
def test_a_bad_retry_policy_is_refused_naming_the_value(settings: dict) -> None:
    with pytest.raises(InvalidRetryPolicyError) as caught:
        RetryPolicy(**settings)
    name, value = next(iter(settings.items()))
    assert (repr(value) if name != "methods" else "POST") in str(caught.value)


def test_a_slow_answer_past_the_clients_timeout_is_a_transport_error(signed_in: SignedIn) -> None:
    signed_in.sandbox.faults.add("slow", delay=1.0, path=ACCOUNTING)
    started = time.monotonic()
    with pytest.raises(TransportError) as caught:
        AccountingApi(signed_in.api_client).get_organisations(signed_in.tenant_id, _request_timeout=(2, 0.2))
    assert time.monotonic() - started < 5
    assert isinstance(caught.value, urllib3.exceptions.HTTPError) and isinstance(caught.value, LedgerflowError)
    assert "ReadTimeoutError" in str(caught.value) and "/1004/api.xro/2.0/Organisation" in str(caught.value)
    assert_no_secret(error_texts(caught.value), signed_in)


def test_a_reset_connection_is_a_transport_error(signed_in: SignedIn) -> None:
    signed_in.sandbox.faults.add("reset", path=ACCOUNTING)
    with pytest.raises(TransportError) as caught:
        AccountingApi(signed_in.api_client).get_organisations(signed_in.tenant_id)
    assert "ProtocolError" in str(caught.value) or "reset" in str(caught.value).lower()
    assert_no_secret(error_texts(caught.value), signed_in)


def test_malformed_json_is_a_typed_error_naming_what_was_expected(signed_in: SignedIn) -> None:
    signed_in.sandbox.faults.add("malformed-json", path=ACCOUNTING, times=1)
    with pytest.raises(MalformedResponseError) as caught:
        AccountingApi(signed_in.api_client).get_organisations(signed_in.tenant_id)
    assert isinstance(caught.value, ValueError)  # what xero-python raised here before
    assert "HTTP 200" in str(caught.value) and "Organisations" in str(caught.value)
    assert "JSONDecodeError" in str(caught.value)
    assert_no_secret(error_texts(caught.value), signed_in)


# --- the token endpoint ----------------------------------------------------------------------
def assert_refresh_fails_and_loses_nothing(session: SignedIn, status: int | None) -> TokenRefreshError:
    before = dict(session.store.token)
    oauth2_token = session.api_client.configuration.oauth2_token
    with pytest.raises(TokenRefreshError) as caught:
        session.api_client.refresh_oauth2_token()
    assert caught.value.status == status
    assert session.store.token == before and session.store.saved == []
    assert oauth2_token.refresh_token in (None, before["refresh_token"])
    assert_no_secret(error_texts(caught.value), session)
    assert "the stored token set is unchanged" in str(caught.value) or status is None
    # and the refresh token still works once the endpoint is healthy again
    session.sandbox.faults.clear()
    refreshed = session.api_client.refresh_oauth2_token()
    assert refreshed["refresh_token"] != before["refresh_token"] and len(session.store.saved) == 1
    return caught.value


@pytest.mark.parametrize("status", [200, 502])
def test_a_token_endpoint_answering_html(signed_in: SignedIn, status: int) -> None:
    signed_in.sandbox.faults.add("html", status=status, path=TOKEN)
    error = assert_refresh_fails_and_loses_nothing(signed_in, status)
    assert ("text/html" in str(error)) if status == 200 else ("HTTP 502" in str(error))


def test_a_token_endpoint_answering_malformed_json(signed_in: SignedIn) -> None:
    signed_in.sandbox.faults.add("malformed-json", path=TOKEN)
    assert "not a JSON token set" in str(assert_refresh_fails_and_loses_nothing(signed_in, 200))


def test_a_2xx_other_than_200_from_the_token_endpoint(signed_in: SignedIn) -> None:
    # xero-python's TokenApi raises a bare Exception here; through Ledgerflow it is typed.
    signed_in.sandbox.faults.add("status", status=201, path=TOKEN)
    assert_refresh_fails_and_loses_nothing(signed_in, 201)


def test_a_500_from_the_token_endpoint(signed_in: SignedIn) -> None:
    signed_in.sandbox.faults.add("status", status=500, path=TOKEN)
    assert "HTTP 500" in str(assert_refresh_fails_and_loses_nothing(signed_in, 500))


def test_a_reset_token_endpoint(signed_in: SignedIn) -> None:
    signed_in.sandbox.faults.add("reset", path=TOKEN)
    error = assert_refresh_fails_and_loses_nothing(signed_in, None)
    assert "could not be reached" in str(error)


def test_a_refused_refresh_names_the_oauth_error(signed_in: SignedIn) -> None:
    first = dict(signed_in.store.token)
    signed_in.api_client.refresh_oauth2_token()  # rotates: the first refresh token is now dead
    signed_in.store.token = first
    signed_in.store.saved.clear()
    with pytest.raises(TokenRefreshError) as caught:
        signed_in.api_client.refresh_oauth2_token()
    assert caught.value.status == 400 and caught.value.error == "invalid_grant"
    assert "invalid_grant" in str(caught.value) and signed_in.store.saved == []
    assert_no_secret(error_texts(caught.value), signed_in)


def test_an_automatic_refresh_that_fails_surfaces_typed_from_the_api_call(signed_in: SignedIn) -> None:
    signed_in.store.token = dict(signed_in.store.token, expires_at=time.time() - 60)
    before = dict(signed_in.store.token)
    signed_in.sandbox.faults.add("html", status=200, path=TOKEN)
    with pytest.raises(TokenRefreshError):
        AccountingApi(signed_in.api_client).get_organisations(signed_in.tenant_id)
    assert signed_in.store.token == before and signed_in.store.saved == []


def test_a_failed_revocation_is_typed(signed_in: SignedIn) -> None:
    signed_in.sandbox.faults.add("status", status=503, path="/connect/revocation", times=1)
    with pytest.raises(TokenRefreshError) as caught:
        signed_in.api_client.revoke_oauth2_token()
    assert caught.value.status == 503
    assert_no_secret(error_texts(caught.value), signed_in)


def test_a_failed_client_credentials_grant_is_typed(signed_in: SignedIn) -> None:
    before = dict(signed_in.store.token)
    signed_in.sandbox.faults.add("html", status=200, path=TOKEN, times=1)
    with pytest.raises(TokenRefreshError) as caught:
        signed_in.api_client.get_client_credentials_token()
    assert "text/html" in str(caught.value)
    assert signed_in.store.token == before and signed_in.store.saved == []
    assert_no_secret(error_texts(caught.value), signed_in)


def test_a_bad_fault_switch_is_refused_naming_it(sandbox: Any) -> None:
    from ledgerflow_xero import SandboxConfigError

    with pytest.raises(SandboxConfigError, match="'explode'.*status, slow, reset, malformed-json, html"):
        sandbox.faults.add("explode")
    with pytest.raises(SandboxConfigError, match="times=0"):
        sandbox.faults.add("status", times=0)


def test_a_fault_only_touches_the_requests_it_matches(signed_in: SignedIn) -> None:
    fault = signed_in.sandbox.faults.add("status", status=500, path=ACCOUNTING, method="POST")
    assert AccountingApi(signed_in.api_client).get_organisations(signed_in.tenant_id).organisations
    assert fault.hits == 0
