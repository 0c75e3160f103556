"""Timeouts by default, a deadline retries cannot stretch, and no sleep nobody asked for."""

from __future__ import annotations

import time
from typing import Any, List

import pytest
import urllib3
from xero_python.accounting import AccountingApi
from xero_python.exceptions import RateLimitException

from ledgerflow_xero import InvalidRetryPolicyError, InvalidTimeoutError, RetryPolicy, TokenStore, TransportError
from ledgerflow_xero.resilience import DEFAULT_TIMEOUT, request_timeouts

from .faults import _drip_body, _hold, _status, new_client
from .loopback import ORGANISATION_PATH, LoopbackServer


def organisation_requests(server: LoopbackServer) -> int:
    return sum(1 for _, path, _ in server.requests if path == ORGANISATION_PATH)


def test_every_routed_request_carries_the_default_timeout(server: LoopbackServer, monkeypatch: Any) -> None:
    client = new_client(server, TokenStore(server.issue()), timeout=None)
    seen: List[Any] = []
    real = urllib3.HTTPConnectionPool._make_request  # sends on a connection with the timeout in force

    def spy(self: Any, conn: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("timeout"))
        return real(self, conn, method, url, *args, **kwargs)

    monkeypatch.setattr(urllib3.HTTPConnectionPool, "_make_request", spy)
    AccountingApi(client).get_organisations("tenant-1")
    client.refresh_oauth2_token()
    assert len(seen) == 2
    assert all((t.connect_timeout, t.read_timeout) == DEFAULT_TIMEOUT for t in seen)


class StandInPoolManager:
    """Not urllib3's PoolManager (a user's wrapper, say): the transport rules cannot hook its
    pools, so a routed request must hand xero-python its timeouts instead."""

    def __init__(self) -> None:
        self.timeouts: List[Any] = []

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        self.timeouts.append(kwargs.get("timeout"))
        return urllib3.HTTPResponse(body=b'{"Organisations": []}', status=200, preload_content=True,
                                    headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("configured, expected", [(None, DEFAULT_TIMEOUT), ((2.0, 3.0), (2.0, 3.0))])
def test_a_pool_manager_the_rules_cannot_hook_still_gets_the_timeouts(server: LoopbackServer, configured: Any,
                                                                      expected: Any) -> None:
    client = new_client(server, TokenStore(server.issue()), timeout=configured)
    stand_in = StandInPoolManager()
    client.rest_client.pool_manager = stand_in
    AccountingApi(client).get_organisations("tenant-1")
    [timeout] = stand_in.timeouts
    assert (timeout.connect_timeout, timeout.read_timeout) == expected


def test_a_callers_number_bounds_connect_and_read_alike(server: LoopbackServer, monkeypatch: Any) -> None:
    client = new_client(server, TokenStore(server.issue()), timeout=None)
    seen: List[Any] = []
    real = urllib3.HTTPConnectionPool._make_request

    def spy(self: Any, conn: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("timeout"))
        return real(self, conn, method, url, *args, **kwargs)

    monkeypatch.setattr(urllib3.HTTPConnectionPool, "_make_request", spy)
    AccountingApi(client).get_organisations("tenant-1", _request_timeout=5)
    [timeout] = seen
    assert (timeout.connect_timeout, timeout.read_timeout) == (5.0, 5.0)


def test_request_timeouts_resolve_the_pair_and_the_deadline() -> None:
    assert request_timeouts(None, None) == ((10.0, 60.0), 70.0)
    assert request_timeouts((1.0, 2.0), None) == ((1.0, 2.0), 3.0)
    assert request_timeouts((1.0, 2.0), 2) == ((2.0, 2.0), 2.0)  # a caller's number bounds the whole request
    assert request_timeouts(None, (3, 4)) == ((3.0, 4.0), 7.0)
    with pytest.raises(InvalidTimeoutError):
        request_timeouts(None, -1)


def test_a_callers_request_timeout_is_not_stretched_by_read_retries(server: LoopbackServer) -> None:
    client = new_client(server, TokenStore(server.issue()), timeout=(30.0, 30.0))
    server.misbehave(ORGANISATION_PATH, _hold)
    before = organisation_requests(server)
    started = time.monotonic()
    with pytest.raises(TransportError):
        AccountingApi(client).get_organisations("tenant-1", _request_timeout=1)
    assert time.monotonic() - started < 5  # xero-python alone: 4 tries of 1 s (urllib3 retries the read)
    assert organisation_requests(server) - before == 1


def test_the_overall_deadline_stops_a_server_that_drips_bytes(server: LoopbackServer) -> None:
    client = new_client(server, TokenStore(server.issue()), timeout=(0.5, 1.0))  # each byte comes within 1 s
    server.misbehave(ORGANISATION_PATH, _drip_body)
    started = time.monotonic()
    with pytest.raises(TransportError, match="overall deadline of 1.5 s"):
        AccountingApi(client).get_organisations("tenant-1")
    assert time.monotonic() - started < 6


def test_retry_after_is_never_slept_without_a_policy(server: LoopbackServer) -> None:
    client = new_client(server, TokenStore(server.issue()))
    server.misbehave(ORGANISATION_PATH, _status(429, b'{"Title": "slow down"}', **{"Retry-After": "99999999"}))
    before = organisation_requests(server)
    started = time.monotonic()
    with pytest.raises(RateLimitException):
        AccountingApi(client).get_organisations("tenant-1")
    assert time.monotonic() - started < 5 and organisation_requests(server) - before == 1


def test_a_policy_retries_with_jitter_within_its_budget(server: LoopbackServer) -> None:
    slept: List[float] = []
    policy = RetryPolicy(attempts=5, backoff=1.0, jitter=0.5, budget=2.5, sleep=slept.append)
    client = new_client(server, TokenStore(server.issue()), retry=policy)
    server.misbehave(ORGANISATION_PATH, _status(503, b'{"Title": "busy"}'), times=5)
    with pytest.raises(Exception) as caught:
        AccountingApi(client).get_organisations("tenant-1")
    assert getattr(caught.value, "status", None) == 503
    # backoff 1, 2, 4 s with up to 50 % jitter: the first fits the 2.5 s budget, the second
    # would take it past the budget, so the error is raised instead of sleeping on.
    assert len(slept) == 1 and 1.0 <= slept[0] <= 1.5
    server.behave()


def test_jitter_spreads_the_waits() -> None:
    policy = RetryPolicy(jitter=0.5)
    waits = {policy.wait_before_retry("GET", 429, "10", attempt=1) for _ in range(20)}
    assert len(waits) > 1 and all(10.0 <= w <= 15.0 for w in waits)  # type: ignore[operator]


@pytest.mark.parametrize("timeout", [0, -1, float("inf"), float("nan"), True, "10", (1, 2, 3), (1, None), [1, 2]])
def test_a_bad_timeout_is_refused_naming_it(server: LoopbackServer, timeout: Any) -> None:
    with pytest.raises(InvalidTimeoutError) as caught:
        new_client(server, TokenStore({}), timeout=timeout)
    assert "timeout=" in str(caught.value)


@pytest.mark.parametrize("settings", [{"jitter": 2}, {"budget": -1}, {"statuses": "429"}, {"statuses": [429.0]},
                                      {"statuses": [99]}, {"methods": "GET"}, {"sleep": 5}])
def test_a_bad_retry_policy_is_refused(settings: Any) -> None:
    with pytest.raises(InvalidRetryPolicyError):
        RetryPolicy(**settings)


def test_unpatch_gives_a_plain_clients_pool_back_as_it_was(server: LoopbackServer) -> None:
    from xero_python.api_client import ApiClient as XeroApiClient
    from xero_python.api_client.configuration import Configuration as XeroConfiguration
    from xero_python.api_client.oauth2 import OAuth2Token

    import ledgerflow_xero

    from .loopback import CLIENT_ID, CLIENT_SECRET

    store = TokenStore(server.issue())
    configuration = XeroConfiguration()
    configuration.oauth2_token = OAuth2Token(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    client = XeroApiClient(configuration, pool_threads=1, oauth2_token_getter=store.get)
    pool_manager = client.rest_client.pool_manager
    before = (dict(pool_manager.connection_pool_kw), dict(pool_manager.pool_classes_by_scheme))
    with ledgerflow_xero.patched(source=1004, host=server.base_url):
        AccountingApi(client).get_organisations("tenant-1")
        assert pool_manager.connection_pool_kw["retries"].read == 0  # no urllib3 retries while routed
    assert (dict(pool_manager.connection_pool_kw), dict(pool_manager.pool_classes_by_scheme)) == before


def test_the_code_exchange_has_a_deadline_too(server: LoopbackServer) -> None:
    from ledgerflow_xero import TokenRequestError, exchange_code

    from .faults import _drip_body
    from .loopback import TOKEN_PATH

    server.misbehave(TOKEN_PATH, _drip_body)  # a byte every 0.2 s: each read is in time
    started = time.monotonic()
    with pytest.raises(TokenRequestError, match="overall deadline"):
        exchange_code("code", client_id="id", client_secret="secret", redirect_uri="http://127.0.0.1/cb",
                      source=1004, host=server.base_url, timeout=0.5)
    assert time.monotonic() - started < 6
