#!/usr/bin/env python3
"""The local sandbox against Prism serving the same spec: same calls, one run, ratios printed.

For every operation Ledgerflow serves (the table's 38), the same request — path, query, headers —
goes to the sandbox (books of source 1004 at the default size, in this process) and to Prism 5
mocking Xero's accounting spec (``../shared/specs``), interleaved round by round so a busy machine
slows both alike. Latencies are client-side over plain urllib3 (keep-alive), so neither side pays
for xero-python's deserialisation: the median of all samples; the ratio is the median of each
round's ratio (the round's sandbox median over the same round's Prism call), so a burst of load
from other jobs on a shared machine moves one round, not the figure.

Prism cannot tell ``/Contacts/{ContactID}`` from ``/Contacts/{ContactNumber}`` (nor the two
``/Journals/{...}`` templates): it answers one of each pair with 422, a defect of the spec's
ambiguous paths, shown in the status column; the time is still the time it took to answer.

Targets (issue 12): every served operation >= 5x faster than Prism; a 100-invoice page < 5 ms; a
balance sheet < 20 ms.

    python scripts/bench_sandbox.py                 # the table and the verdict
    python scripts/bench_sandbox.py --rounds 3      # a quicker run
    python scripts/bench_sandbox.py --json          # machine-readable figures

Needs npm (Prism is installed into the cache on first use, see tests/sandbox/prism.py) and
``../shared`` beside the checkout. Prism grows to gigabytes under sustained load: the run is short
and stops it.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the test helpers: Prism runner, arguments taken from the books

import urllib3  # noqa: E402

from ledgerflow_xero import surface  # noqa: E402
from ledgerflow_xero.sandbox import running_sandbox  # noqa: E402
from tests.sandbox.prism import SPEC, running_prism  # noqa: E402
from tests.sandbox.served_calls import argument_values  # noqa: E402

SOURCE = 1004
PLACEHOLDER_BEARER = "Bearer bench"
PAGED = {"getInvoices", "getContacts", "getBankTransactions", "getCreditNotes", "getManualJournals",
         "getOverpayments", "getPrepayments", "getPayments"}
TARGET_RATIO, TARGET_PAGE_MS, TARGET_BALANCE_SHEET_MS = 5.0, 5.0, 20.0


def _snake(name: str) -> str:
    """``InvoiceID`` -> ``invoice_id``, ``ContactNumber`` -> ``contact_number`` (xero-python's names)."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name.replace("ID", "Id")).lower()


def requests_for(books: Any) -> List[Tuple[str, str, Dict[str, str]]]:
    """(operationId, path with values, query) for every served operation, from the books' own records."""
    values = argument_values(books)
    out = []
    for operation in surface.SERVED:
        path = re.sub(r"\{([^}]+)\}", lambda m: str(values[_snake(m.group(1))]), operation.path_template)
        query: Dict[str, str] = {}
        if operation.operation_id in PAGED:
            query["page"] = "1"
        if operation.operation_id.startswith("getReportAged"):
            query["contactId"] = str(values[(operation.sdk_method, "contact_id")])
        out.append((operation.operation_id, path, query))
    return out


def _time(pool: urllib3.PoolManager, url: str, query: Dict[str, str], headers: Dict[str, str]) -> Tuple[float, int]:
    started = time.perf_counter()
    answer = pool.request("GET", url, fields=query, headers=headers)
    return (time.perf_counter() - started) * 1000, answer.status


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds (each: every call once on each side)")
    parser.add_argument("--sandbox-repeats", type=int, default=9, help="sandbox calls per operation per round")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--shared", default=str(REPO.parent / "shared"), help="the shared data folder")
    args = parser.parse_args(argv)

    pool = urllib3.PoolManager(maxsize=2, retries=False, timeout=urllib3.Timeout(connect=5, read=120))
    sandbox_ms: Dict[str, List[float]] = {}
    prism_ms: Dict[str, List[float]] = {}
    round_ratios: Dict[str, List[float]] = {}
    statuses: Dict[str, Tuple[int, int]] = {}
    with running_sandbox(seed=0) as sandbox, running_prism(Path(args.shared) / SPEC) as prism:
        client, tenant_id = sandbox.api_client(SOURCE)
        token = client.token_store.get()["access_token"]
        sandbox_base = sandbox.router(SOURCE).url_for("accounting")
        sandbox_headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": tenant_id,
                           "Accept": "application/json"}
        prism_headers = {"Authorization": PLACEHOLDER_BEARER, "xero-tenant-id": tenant_id, "Accept": "application/json"}
        calls = requests_for(sandbox.books(SOURCE))
        for operation_id, path, query in calls:  # warm both (Prism compiles its route on first use)
            statuses[operation_id] = (_time(pool, sandbox_base + path, query, sandbox_headers)[1],
                                      _time(pool, prism + path, query, prism_headers)[1])
        for _ in range(args.rounds):
            for operation_id, path, query in calls:
                url = sandbox_base + path
                ours = [_time(pool, url, query, sandbox_headers)[0] for _ in range(args.sandbox_repeats)]
                theirs = _time(pool, prism + path, query, prism_headers)[0]
                sandbox_ms.setdefault(operation_id, []).extend(ours)
                prism_ms.setdefault(operation_id, []).append(theirs)
                round_ratios.setdefault(operation_id, []).append(theirs / statistics.median(ours))

        # First answers, which the sandbox computes and encodes (repeats come from its answer cache):
        # ten different invoice pages, and balance sheets at ten different month ends.
        cold_page = [_time(pool, sandbox_base + "/Invoices", {"page": str(page)}, sandbox_headers)[0]
                     for page in range(1, 11)]
        cold_balance = [_time(pool, sandbox_base + "/Reports/BalanceSheet", {"date": f"2025-{month:02d}-28"},
                              sandbox_headers)[0] for month in range(1, 11)]

    rows = []
    for operation_id, _, _ in calls:
        ours, theirs = statistics.median(sandbox_ms[operation_id]), statistics.median(prism_ms[operation_id])
        ratio = statistics.median(round_ratios[operation_id])
        rows.append({"operation": operation_id, "sandbox_ms": round(ours, 3), "prism_ms": round(theirs, 3),
                     "ratio": round(ratio, 1), "status": statuses[operation_id]})
    by_id = {row["operation"]: row for row in rows}
    page_ms, balance_ms = by_id["getInvoices"]["sandbox_ms"], by_id["getReportBalanceSheet"]["sandbox_ms"]
    cold_page_ms, cold_balance_ms = statistics.median(cold_page), statistics.median(cold_balance)
    slowest = min(rows, key=lambda row: row["ratio"])
    verdict = {
        "every operation >= 5x Prism": slowest["ratio"] >= TARGET_RATIO,
        "100-invoice page < 5 ms (first answer)": cold_page_ms < TARGET_PAGE_MS,
        "balance sheet < 20 ms (first answer)": cold_balance_ms < TARGET_BALANCE_SHEET_MS,
        "every sandbox answer 200": all(row["status"][0] == 200 for row in rows),
    }
    if args.json:
        print(json.dumps({"rows": rows, "first_page_ms": cold_page_ms, "first_balance_sheet_ms": cold_balance_ms,
                          "verdict": verdict, "python": platform.python_version()}, indent=2))
    else:
        print(f"sandbox (source {SOURCE}, default size) vs Prism 5 on Xero's accounting spec; median ms over "
              f"{args.rounds} rounds (sandbox x{args.sandbox_repeats} per round); Python {platform.python_version()}")
        print(f"{'operation':40} {'sandbox ms':>11} {'Prism ms':>10} {'Prism/sandbox':>14}  status")
        for row in rows:
            print(f"{row['operation']:40} {row['sandbox_ms']:>11.2f} {row['prism_ms']:>10.2f} "
                  f"{row['ratio']:>13.1f}x  {row['status'][0]}/{row['status'][1]}")
        ratios = [row["ratio"] for row in rows]
        print(f"\nratio Prism/sandbox: min {min(ratios):.1f}x ({slowest['operation']}), "
              f"median {statistics.median(ratios):.1f}x, max {max(ratios):.1f}x")
        print(f"100-invoice page {page_ms:.2f} ms repeated, {cold_page_ms:.2f} ms first answer (median of 10 pages); "
              f"balance sheet {balance_ms:.2f} ms repeated, {cold_balance_ms:.2f} ms first answer (10 dates)")
        for what, ok in verdict.items():
            print(f"  {'PASS' if ok else 'FAIL'}  {what}")
    return 0 if all(verdict.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
