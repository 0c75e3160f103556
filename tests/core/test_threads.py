"""Several clients with different sources, used from several threads at once."""

import threading
from collections import Counter

from xero_python.accounting import AccountingApi
from xero_python.identity import IdentityApi

from ledgerflow_xero import ApiClient, Configuration

from .conftest import SOURCES, oauth2_token, token_set

THREADS_PER_SOURCE = 4
CALLS_PER_THREAD = 15


def test_no_request_lands_on_another_clients_source(recorder):
    clients = {}
    for source in SOURCES:
        configuration = Configuration(oauth2_token=oauth2_token(), source=source, host=recorder.base_url)
        tokens = {"token": token_set(access_token=f"token-for-{source}")}
        clients[source] = ApiClient(configuration, pool_threads=1, oauth2_token_getter=lambda t=tokens: t["token"])
    start = threading.Barrier(len(SOURCES) * THREADS_PER_SOURCE)
    failures = []

    def work(source):
        start.wait()
        try:
            for i in range(CALLS_PER_THREAD):
                if i % 3:
                    AccountingApi(clients[source]).get_organisations("tenant")
                else:
                    IdentityApi(clients[source]).get_connections()
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=work, args=(s,)) for s in SOURCES for _ in range(THREADS_PER_SOURCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    by_source = Counter()
    for request in recorder.requests:
        source = int(request.path.split("/")[1])
        assert request.headers["Authorization"] == f"Bearer token-for-{source}", request.path
        by_source[source] += 1
    assert by_source == {source: THREADS_PER_SOURCE * CALLS_PER_THREAD for source in SOURCES}
