"""One refresh at a time within a process: clients sharing a token store at expiry refresh
once; the others wait for it and use the new token."""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Dict, Iterator, List

import pytest
from xero_python.accounting import AccountingApi

from ledgerflow_xero import TokenStore

from .faults import new_client
from .loopback import LoopbackServer

THREADS = 16


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    running = LoopbackServer(refresh_delay=0.2)  # a slow refresh widens the race window
    yield running
    running.stop()


def run_threads(count: int, work: Callable[[int], Any]) -> List[BaseException]:
    barrier = threading.Barrier(count)
    failures: List[BaseException] = []

    def run(number: int) -> None:
        barrier.wait()
        try:
            work(number)
        except BaseException as error:  # noqa: BLE001 - collected and asserted
            failures.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return failures


class GetterSaver:
    """A user's own getter/saver pair (no ``refresh_once``): the in-process single flight alone."""

    def __init__(self, token: Dict[str, Any]) -> None:
        self.token = token
        self.saves = 0

    def get(self) -> Dict[str, Any]:
        return self.token

    def save(self, token: Dict[str, Any]) -> None:
        self.token = token
        self.saves += 1


@pytest.mark.parametrize("store_kind", ["TokenStore", "plain getter/saver"])
def test_sixteen_threads_at_expiry_refresh_exactly_once(server: LoopbackServer, store_kind: str) -> None:
    for _trial in range(3):
        first = server.expired_set()
        store: Any = TokenStore(first) if store_kind == "TokenStore" else GetterSaver(first)
        clients = [new_client(server, store, timeout=(5.0, 10.0)) for _ in range(THREADS)]
        refreshes_before = server.refreshes
        failures = run_threads(THREADS, lambda n, c=clients: AccountingApi(c[n]).get_organisations("tenant-1"))
        assert failures == []
        assert server.refreshes - refreshes_before == 1
        assert server.invalid_grants == 0
        assert store.token["refresh_token"] in server.valid_refresh_tokens  # the newest one is kept
    if store_kind == "TokenStore":
        assert len(store.saved) == 1


def test_one_shared_client_across_threads_refreshes_once(server: LoopbackServer) -> None:
    store = TokenStore(server.expired_set())
    client = new_client(server, store, timeout=(5.0, 10.0))
    failures = run_threads(THREADS, lambda n: AccountingApi(client).get_organisations("tenant-1"))
    assert failures == [] and server.refreshes == 1 and server.invalid_grants == 0


def test_a_waiter_gives_up_in_bounded_time_when_the_refresh_hangs() -> None:
    server = LoopbackServer(refresh_delay=30)
    try:
        store = TokenStore(server.expired_set())
        before = dict(store.token)
        clients = [new_client(server, store, timeout=(0.5, 0.5)) for _ in range(4)]
        started = time.monotonic()
        failures = run_threads(4, lambda n: AccountingApi(clients[n]).get_organisations("tenant-1"))
        assert len(failures) == 4 and all(type(f).__name__ == "TokenRefreshError" for f in failures)
        assert time.monotonic() - started < 20  # the deadline (1 s) plus the bounded wait; no hang
        assert store.token == before and store.saved == []
    finally:
        server.stop()


def test_sandbox_with_rotation_sixteen_clients_refresh_once() -> None:
    from ledgerflow_xero.sandbox import running_sandbox

    from ..support import SignedIn

    with running_sandbox(seed=3) as sandbox:
        session = SignedIn(sandbox, 1004)
        session.store.token = dict(session.store.token, expires_at=time.time() - 5)
        first_refresh = session.store.token["refresh_token"]
        clients = [session.new_client() for _ in range(THREADS)]
        failures = run_threads(THREADS, lambda n: AccountingApi(clients[n]).get_organisations(session.tenant_id))
        assert failures == []
        assert len(session.store.saved) == 1 and session.store.token["refresh_token"] != first_refresh
