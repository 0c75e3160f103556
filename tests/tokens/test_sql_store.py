"""SQLTokenStore: one refresh per expiry across processes, on real SQLite and PostgreSQL,
through the sandbox with refresh-token rotation."""

from __future__ import annotations

import multiprocessing
import pickle
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from ledgerflow_xero import InvalidTokenStoreError, TokenRefreshError, TokenStoreError

PROCESSES = 8
PHASES = 3  # token expiries during the run
CALLS = 3  # API calls per process per phase


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tokens.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tokens.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def test_round_trip_and_atomic_versions(database_url: str) -> None:
    from ledgerflow_xero import SQLTokenStore

    key = f"k-{time.monotonic_ns()}"
    store = SQLTokenStore(database_url, key=key, token={"access_token": "a1", "refresh_token": "r1"})
    assert store.get() == {"access_token": "a1", "refresh_token": "r1"} and store.version == 1
    store.save({"access_token": "a1", "refresh_token": "r1"})
    assert store.version == 1  # the same set again writes nothing
    store.save({"access_token": "a2", "refresh_token": "r2"})
    assert store.version == 2 and SQLTokenStore(database_url, key=key).get()["refresh_token"] == "r2"
    assert "a2" not in repr(store) and "r2" not in repr(store)
    assert pickle.loads(pickle.dumps(store)).get() == store.get()


def test_refresh_once_refreshes_only_the_expired_set(database_url: str) -> None:
    from ledgerflow_xero import SQLTokenStore

    store = SQLTokenStore(database_url, key=f"k-{time.monotonic_ns()}",
                          token={"access_token": "a1", "refresh_token": "r1", "expires_at": time.time() - 5})
    stale = {"access_token": "a1", "refresh_token": "r1"}
    used: List[str] = []

    def refresh(refresh_token: str) -> Dict[str, Any]:
        used.append(refresh_token)
        return {"access_token": "a2", "refresh_token": "r2", "expires_at": time.time() + 1800}

    assert store.refresh_once(stale, refresh)["access_token"] == "a2"
    assert store.refresh_once(stale, refresh)["access_token"] == "a2"  # superseded: not refreshed again
    assert used == ["r1"]

    def failing(refresh_token: str) -> Dict[str, Any]:
        raise TokenRefreshError("invalid_grant")

    store.save(dict(store.get(), expires_at=time.time() - 5))
    before = store.get()
    with pytest.raises(TokenRefreshError):
        store.refresh_once({"access_token": "a2", "refresh_token": "r2"}, failing)
    assert store.get() == before  # a failed refresh writes nothing


def test_the_row_lock_serialises_threads_of_separate_stores(database_url: str) -> None:
    """Eight stores (as eight processes would hold) race to refresh one expired row: one refreshes."""
    from ledgerflow_xero import SQLTokenStore

    key = f"k-{time.monotonic_ns()}"
    SQLTokenStore(database_url, key=key, token={"access_token": "a1", "refresh_token": "r1",
                                                "expires_at": time.time() - 5})
    stores = [SQLTokenStore(database_url, key=key) for _ in range(8)]
    refreshed: List[str] = []
    barrier = threading.Barrier(8)

    def refresh(refresh_token: str) -> Dict[str, Any]:
        refreshed.append(refresh_token)
        time.sleep(0.05)
        return {"access_token": "a2", "refresh_token": "r2", "expires_at": time.time() + 1800}

    def run(store: Any) -> None:
        barrier.wait()
        store.refresh_once({"access_token": "a1", "refresh_token": "r1"}, refresh)

    threads = [threading.Thread(target=run, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert refreshed == ["r1"] and stores[0].get()["refresh_token"] == "r2"


def test_no_stored_set_and_bad_arguments_are_typed(sqlite_url: str) -> None:
    from ledgerflow_xero import SQLTokenStore

    with pytest.raises(TokenStoreError, match="holds no token set"):
        SQLTokenStore(sqlite_url, key="nobody").get()
    for bad in ({"key": ""}, {"key": 5}, {"key": "k", "table": "x; drop"}, {"key": "k", "lock_timeout": True}):
        with pytest.raises(InvalidTokenStoreError):
            SQLTokenStore(sqlite_url, **bad)
    with pytest.raises(InvalidTokenStoreError):
        SQLTokenStore(["sqlite://"], key="k")


@pytest.fixture
def sandbox() -> Iterator[Any]:
    from ledgerflow_xero.sandbox import running_sandbox

    with running_sandbox(seed=5) as running:
        yield running


def test_eight_processes_share_one_token_set(database_url: str, sandbox: Any) -> None:
    from xero_python.api_client.oauth2 import OAuth2Token

    from ledgerflow_xero import ApiClient, Configuration, SQLTokenStore

    from ..support import SignedIn

    authority = sandbox.app.authority
    counts = {"refreshes": 0, "invalid_grant": 0}
    real_refresh = authority.refresh

    def counting_refresh(*args: Any, **kwargs: Any) -> Any:
        try:
            grant = real_refresh(*args, **kwargs)
        except ValueError:
            counts["invalid_grant"] += 1
            raise
        counts["refreshes"] += 1
        return grant

    authority.refresh = counting_refresh
    session = SignedIn(sandbox, 1004)
    key = f"connection-{time.monotonic_ns()}"
    store = SQLTokenStore(database_url, key=key, token=session.store.token)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES + 1)
    results = context.Queue()
    workers = [
        context.Process(target=_work, args=(database_url, key, sandbox.base_url, sandbox.client_id,
                                            sandbox.client_secret, 1004, session.tenant_id, PHASES, CALLS,
                                            barrier, results))
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    started = time.monotonic()
    try:
        for _phase in range(PHASES):
            store.save(dict(store.get(), expires_at=time.time() - 5))  # the access token expires mid-run
            barrier.wait(120)
            barrier.wait(120)
        outcomes = [results.get(timeout=120) for _ in workers]
    finally:
        for worker in workers:
            worker.join(60)
            if worker.is_alive():
                worker.kill()
    elapsed = time.monotonic() - started
    calls = sum(done for done, _ in outcomes)
    failures = [failure for _, batch in outcomes for failure in batch]
    print(f"\n{database_url.split('+')[0].split(':')[0]}: {PROCESSES} processes, {PHASES} expiries, {calls} calls "
          f"in {elapsed:.1f} s: {counts['refreshes']} refreshes, {counts['invalid_grant']} invalid_grant, "
          f"{len(failures)} failures")
    assert failures == []
    assert calls == PROCESSES * PHASES * CALLS
    assert counts == {"refreshes": PHASES, "invalid_grant": 0}
    # No token lost: the stored refresh token is the live one (a refresh with it works).
    final = ApiClient(Configuration(oauth2_token=OAuth2Token(client_id=sandbox.client_id,
                                                             client_secret=sandbox.client_secret),
                                    source=1004, host=sandbox.base_url),
                      pool_threads=1, oauth2_token_getter=store.get, oauth2_token_saver=store.save)
    before = store.get()["refresh_token"]
    final.refresh_oauth2_token()
    assert store.get()["refresh_token"] != before and counts["invalid_grant"] == 0


def _work(*args: Any) -> None:
    from .sql_worker import work

    work(*args)
