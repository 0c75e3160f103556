#!/usr/bin/env python3
"""Single-flight refresh, measured: 16 threads, each with its own routed ApiClient on one
shared token store, call the API at the moment the access token expires, against a loopback
token server that rotates refresh tokens and answers a reused one with ``invalid_grant``.

Prints refreshes, ``invalid_grant`` answers and failed calls over ``--trials`` expiries, for
the in-memory ``TokenStore`` and for a plain getter/saver pair; ``--without`` runs the same
with single flight switched off (the control: what xero-python does alone).

    python scripts/token_race.py [--trials 10] [--without]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xero_python.accounting import AccountingApi  # noqa: E402

from ledgerflow_xero import TokenStore, token_store  # noqa: E402
from tests.tokens.faults import new_client  # noqa: E402
from tests.tokens.loopback import LoopbackServer  # noqa: E402
from tests.tokens.test_single_flight import THREADS, GetterSaver, run_threads  # noqa: E402


def trial(server: LoopbackServer, kind: str) -> Tuple[int, int, int]:
    store: Any = TokenStore(server.expired_set()) if kind == "TokenStore" else GetterSaver(server.expired_set())
    clients = [new_client(server, store, timeout=(5.0, 10.0)) for _ in range(THREADS)]
    refreshes, invalid = server.refreshes, server.invalid_grants
    failures = run_threads(THREADS, lambda n: AccountingApi(clients[n]).get_organisations("tenant-1"))
    return server.refreshes - refreshes, server.invalid_grants - invalid, len(failures)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--without", action="store_true", help="switch single flight off (the control)")
    args = parser.parse_args()
    if args.without:
        token_store._Flights.run = lambda self, key, wait, refresh, **_: (refresh(), True)  # type: ignore
        token_store.store_of = lambda api_client: None  # type: ignore[assignment]
    server = LoopbackServer(refresh_delay=0.2)
    try:
        for kind in ("TokenStore", "getter/saver pair"):
            totals = [0, 0, 0]
            for _ in range(args.trials):
                for index, value in enumerate(trial(server, kind)):
                    totals[index] += value
            print(f"single flight {'off' if args.without else 'on'}, {kind:<17}: {args.trials} expiries x "
                  f"{THREADS} threads: {totals[0]} refreshes, {totals[1]} invalid_grant, "
                  f"{totals[2]} failed calls of {args.trials * THREADS}")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
