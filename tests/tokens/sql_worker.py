"""One worker process of the cross-process test: its own SQLTokenStore and ApiClient on the
shared row, calling the sandbox in step with the others (a barrier per token expiry)."""

from __future__ import annotations

from typing import Any, List, Tuple


def work(url: str, key: str, base_url: str, client_id: str, client_secret: str, source: int, tenant_id: str,
         phases: int, calls: int, barrier: Any, results: Any) -> None:
    from xero_python.accounting import AccountingApi
    from xero_python.api_client.oauth2 import OAuth2Token

    from ledgerflow_xero import ApiClient, Configuration, SQLTokenStore

    store = SQLTokenStore(url, key=key)
    client = ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id=client_id, client_secret=client_secret),
                      source=source, host=base_url, timeout=(10.0, 30.0)),
        pool_threads=1, oauth2_token_getter=store.get, oauth2_token_saver=store.save,
    )
    done = 0
    failures: List[str] = []
    for _phase in range(phases):
        barrier.wait(120)  # the parent has expired the stored access token
        for _ in range(calls):
            try:
                AccountingApi(client).get_organisations(tenant_id)
                done += 1
            except Exception as error:  # noqa: BLE001 - reported to the parent
                failures.append(f"{type(error).__name__}: {error}"[:300])
        barrier.wait(120)
    outcome: Tuple[int, List[str]] = (done, failures)
    results.put(outcome)
