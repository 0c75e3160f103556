#!/usr/bin/env python3
"""Load through the local sandbox: many threads, three sources, token refreshes mid-run.

Each of ``--threads`` threads holds one ``ledgerflow_xero.ApiClient`` per source (1001, 1004,
1009) and reads the organisation ``--requests`` times per source, cycling through the
sources. One token set per source is shared by all threads (xero-python's getter/saver
pattern); a refresher per source forces ``--refreshes`` refreshes spread over the run.
Checked, and printed:

- zero requests on the wrong source: every answer names its source's organisation, no
  401/403, and the sandbox saw exactly threads x requests accounting calls per source;
- zero lookups of, or requests to, a ``*.xero.com`` host;
- every refresh saved exactly once, each with a new refresh token.

    python scripts/load.py            # a small run (4 threads x 3 sources x 50 requests)
    python scripts/load.py --full     # the full size: 16 threads x 3 sources x 2,000 requests
"""

from __future__ import annotations

import argparse
import collections
import json
import socket
import sys
import threading
import time
from typing import Any, Callable, Counter, Dict, List, Sequence
from urllib.parse import parse_qs, urlsplit

import urllib3
import urllib3.connectionpool
from xero_python.accounting import AccountingApi
from xero_python.api_client.oauth2 import OAuth2Token

from ledgerflow_xero import ApiClient, Configuration, TokenStore, authorization_url, exchange_code
from ledgerflow_xero.routing import is_xero_host
from ledgerflow_xero.sandbox import running_sandbox

SOURCES = (1001, 1004, 1009)
SCOPE = "openid offline_access accounting.settings.read"
FULL = {"threads": 16, "requests": 2000, "refreshes": 5}
SMALL = {"threads": 4, "requests": 50, "refreshes": 2}


def sign_in(sandbox: Any, source: int) -> TokenStore:
    """The sign-in a program does once per source: login URL, consent, code exchange."""
    login = authorization_url(sandbox.client_id, sandbox.redirect_uri, SCOPE, source=source, host=sandbox.base_url)
    consent = urllib3.PoolManager(retries=False).request("GET", login.url, redirect=False)
    query = parse_qs(urlsplit(consent.headers["Location"]).query)
    return TokenStore(exchange_code(
        query["code"][0], client_id=sandbox.client_id, client_secret=sandbox.client_secret,
        redirect_uri=sandbox.redirect_uri, source=source, host=sandbox.base_url,
        code_verifier=login.code_verifier, expected_state=login.state, returned_state=query["state"][0],
    ))


def new_client(sandbox: Any, source: int, store: TokenStore) -> ApiClient:
    return ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id=sandbox.client_id, client_secret=sandbox.client_secret),
                      source=source, host=sandbox.base_url),
        pool_threads=1, oauth2_token_getter=store.get, oauth2_token_saver=store.save,
    )


class XeroSpy:
    """Counts (and refuses) every lookup of a ``*.xero.com`` name and every pool request to one."""

    def __init__(self) -> None:
        self.xero_hosts: List[str] = []
        self._getaddrinfo = socket.getaddrinfo
        self._urlopen = urllib3.connectionpool.HTTPConnectionPool.urlopen

    def __enter__(self) -> XeroSpy:
        spy = self

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            name = host.decode() if isinstance(host, bytes) else str(host)
            if is_xero_host(name):
                spy.xero_hosts.append(name)
                raise OSError(f"load spy: refused lookup of Xero host {name}")
            return spy._getaddrinfo(host, *args, **kwargs)

        def urlopen(pool: Any, *args: Any, **kwargs: Any) -> Any:
            if is_xero_host(pool.host):
                spy.xero_hosts.append(pool.host)
            return spy._urlopen(pool, *args, **kwargs)

        socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
        urllib3.connectionpool.HTTPConnectionPool.urlopen = urlopen  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        socket.getaddrinfo = self._getaddrinfo  # type: ignore[assignment]
        urllib3.connectionpool.HTTPConnectionPool.urlopen = self._urlopen  # type: ignore[method-assign]


class SandboxRequestCount:
    """Counts the requests one sandbox answered, by "METHOD /first-segment kind status",
    by wrapping its app's ``handle`` (other sandboxes in the process are not counted)."""

    def __init__(self, sandbox: Any) -> None:
        self.counts: Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        handle = sandbox.app.handle

        def counting_handle(request: Any) -> Any:
            response = handle(request)
            path = request.path
            kind = "accounting" if "/api.xro/" in path.lower() else path.split("/", 2)[-1]
            with self._lock:
                self.counts[f"{request.method} /{path.split('/')[1]} {kind} {response.status}"] += 1
            return response

        sandbox.app.handle = counting_handle


def run_load(threads: int, requests: int, refreshes: int, progress: Callable[[str], None] = lambda _: None) -> Dict:
    """Run the load and return its figures (see the module docstring for what is checked)."""
    with XeroSpy() as spy, running_sandbox() as sandbox:
        log = SandboxRequestCount(sandbox)
        figures = _run(sandbox, threads, requests, refreshes, progress)
    figures["xero_hosts_seen"] = list(spy.xero_hosts)
    figures["sandbox_requests"] = dict(log.counts)
    served = {source: log.counts.get(f"GET /{source} accounting 200", 0) for source in SOURCES}
    figures["sandbox_accounting_200_by_source"] = served
    figures["ok"] = (
        figures["wrong_source"] == 0
        and not figures["errors"]
        and not figures["xero_hosts_seen"]
        and all(count == threads * requests + 1 for count in served.values())  # + the final check
        and all(
            r["saved"] == r["refreshed"] == r["distinct_refresh_tokens"] == refreshes and r["saved_are_the_returned"]
            for r in figures["refreshes"].values()
        )
        and sum(log.counts.values()) == sum(count for key, count in log.counts.items() if key.endswith(" 200")
                                            or " 302" in key)
    )
    return figures


def _run(sandbox: Any, threads: int, requests: int, refreshes: int, progress: Callable[[str], None]) -> Dict:
    stores = {source: sign_in(sandbox, source) for source in SOURCES}
    expected = {source: sandbox.organisation(source).name for source in SOURCES}
    tenants = {source: sandbox.organisation(source).tenant_id for source in SOURCES}
    done: Counter[int] = collections.Counter()
    wrong_source: Counter[int] = collections.Counter()
    errors: Counter[str] = collections.Counter()
    lock = threading.Lock()
    start_gate = threading.Barrier(threads + len(SOURCES) + 1)

    def worker() -> None:
        apis = {source: AccountingApi(new_client(sandbox, source, stores[source])) for source in SOURCES}
        start_gate.wait()
        for _ in range(requests):
            for source in SOURCES:
                try:
                    name = apis[source].get_organisations(tenants[source]).organisations[0].name
                except Exception as error:  # counted and reported: the run must show every failure
                    with lock:
                        errors[f"{source}: {type(error).__name__}: {str(error).splitlines()[0][:120]}"] += 1
                    continue
                with lock:
                    done[source] += 1
                    if name != expected[source]:
                        wrong_source[source] += 1

    refresh_figures: Dict[int, Dict[str, Any]] = {}

    def refresher(source: int) -> None:
        client = new_client(sandbox, source, stores[source])
        returned: List[str] = []
        start_gate.wait()
        for number in range(1, refreshes + 1):
            due = threads * requests * number // (refreshes + 1)
            while done[source] < due and not errors:
                time.sleep(0.005)
            token = client.refresh_oauth2_token()
            returned.append(token["refresh_token"])
            progress(f"source {source}: refresh {number}/{refreshes} after {done[source]} requests")
        saved = stores[source].saved
        refresh_figures[source] = {
            "refreshed": len(returned),
            "saved": len(saved),
            "distinct_refresh_tokens": len({token["refresh_token"] for token in saved}),
            "saved_are_the_returned": [token["refresh_token"] for token in saved] == returned,
        }

    workers = [threading.Thread(target=worker, name=f"load-{i}") for i in range(threads)]
    workers += [threading.Thread(target=refresher, args=(source,), name=f"refresh-{source}") for source in SOURCES]
    for thread in workers:
        thread.start()
    start_gate.wait()
    started = time.perf_counter()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - started
    total = sum(done.values())
    # The last saved token set of each source still works: nothing was lost on the way.
    for source in SOURCES:
        api = AccountingApi(new_client(sandbox, source, stores[source]))
        assert api.get_organisations(tenants[source]).organisations[0].name == expected[source]
    return {
        "threads": threads,
        "sources": list(SOURCES),
        "requests_per_thread_per_source": requests,
        "requests_answered": total,
        "requests_answered_by_source": dict(done),
        "wrong_source": sum(wrong_source.values()),
        "errors": dict(errors),
        "refreshes": refresh_figures,
        "seconds": round(elapsed, 2),
        "requests_per_second": round(total / elapsed, 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="16 threads x 3 sources x 2,000 requests, 5 refreshes")
    parser.add_argument("--threads", type=int)
    parser.add_argument("--requests", type=int, help="requests per thread per source")
    parser.add_argument("--refreshes", type=int, help="forced refreshes per source during the run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    size = dict(FULL if args.full else SMALL)
    for name in size:
        if getattr(args, name) is not None:
            size[name] = getattr(args, name)
    figures = run_load(progress=lambda line: print(line, file=sys.stderr, flush=True), **size)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"{figures['threads']} threads x {len(SOURCES)} sources x {figures['requests_per_thread_per_source']} "
              f"requests: {figures['requests_answered']} answered in {figures['seconds']} s "
              f"({figures['requests_per_second']} req/s)")
        print(f"  wrong source: {figures['wrong_source']}; errors: {sum(figures['errors'].values())}; "
              f"Xero hosts seen: {len(figures['xero_hosts_seen'])}")
        print(f"  sandbox accounting 200s by source: {figures['sandbox_accounting_200_by_source']}")
        for source, r in figures["refreshes"].items():
            print(f"  source {source}: {r['refreshed']} refreshes, {r['saved']} saves, "
                  f"{r['distinct_refresh_tokens']} distinct refresh tokens, "
                  f"saved = returned: {r['saved_are_the_returned']}")
        print("  OK" if figures["ok"] else "  FAILED")
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
