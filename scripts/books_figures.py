#!/usr/bin/env python3
"""Measure the sandbox's books engine alone (no HTTP): build time per source, answer times.

Figures are medians of repeated calls in one run; "+json" adds ``json.dumps`` of the body,
which the sandbox's HTTP side pays on every answer; "answer_json" is ``Books.answer_json``,
which serialises each record once and reuses the bytes. Targets (issue 12): a 100-invoice page
under 5 ms and a balance sheet under 20 ms on the default ledger; the HTTP-level comparison
with Prism lives in the sandbox bench.

    python scripts/books_figures.py            # the table
    python scripts/books_figures.py --quick    # tiny counts (smoke run)
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any, Callable, Dict, List, Tuple

from ledgerflow_xero.sandbox.books import Books, build_books


def _median_ms(call: Callable[[], Any], rounds: int) -> float:
    samples: List[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _answer(books: Books, operation_id: str, query: Dict[str, str], path: Dict[str, str]) -> Dict[str, Any]:
    status, body = books.answer(operation_id, path, {k: [v] for k, v in query.items()}, {})
    if status != 200:
        raise SystemExit(f"{operation_id} answered {status}: {body}")
    return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run with tiny counts")
    args = parser.parse_args()
    rounds = 3 if args.quick else 51

    print("build (ms)")
    built: Dict[int, Books] = {}
    for source in (1001, 1004, 1009):
        start = time.perf_counter()
        built[source] = build_books(source)
        elapsed = (time.perf_counter() - start) * 1000
        ledger = built[source].ledger
        print(
            f"  {source} scale 1: {elapsed:8.1f}  ({len(ledger.collections['Invoices'])} invoices, "
            f"{len(ledger.journals)} journals)"
        )
    scale = 2 if args.quick else 11
    start = time.perf_counter()
    big = build_books(1004, scale=scale)
    elapsed = (time.perf_counter() - start) * 1000
    print(f"  1004 scale {scale}: {elapsed:8.1f}  ({len(big.collections['Invoices'])} invoices)")

    customer = built[1001].ledger.customers[0]["ContactID"]
    category = built[1001].collections["TrackingCategories"][0]["TrackingCategoryID"]
    calls: List[Tuple[str, str, Dict[str, str], Dict[str, str]]] = [
        ("100-invoice page", "getInvoices", {"page": "2"}, {}),
        (
            "where + order page",
            "getInvoices",
            {"page": "1", "where": 'Type=="ACCREC" AND AmountDue>0', "order": "Total DESC"},
            {},
        ),
        ("balance sheet", "getReportBalanceSheet", {}, {}),
        ("balance sheet, 11 periods", "getReportBalanceSheet", {"periods": "11"}, {}),
        ("profit and loss by tracking", "getReportProfitAndLoss", {"trackingCategoryID": category}, {}),
        ("trial balance", "getReportTrialBalance", {}, {}),
        ("aged receivables", "getReportAgedReceivablesByContact", {"contactId": customer}, {}),
        ("100 journals", "getJournals", {"offset": "200"}, {}),
    ]
    print("\nanswer on source 1001, default ledger (median ms)      answer   +json  answer_json")
    for label, operation_id, query, path in calls:

        def call(operation_id: str = operation_id, query: Dict[str, str] = query, path: Dict[str, str] = path) -> Any:
            return _answer(built[1001], operation_id, query, path)

        bare = _median_ms(call, rounds)
        dumped = _median_ms(lambda call=call: json.dumps(call()), rounds)  # type: ignore[misc]
        as_query = {k: [v] for k, v in query.items()}
        cached = _median_ms(lambda: built[1001].answer_json(operation_id, path, as_query, {}), rounds)  # noqa: B023
        print(f"  {label:<50} {bare:7.3f} {dumped:7.3f} {cached:12.3f}")
    middle = {"page": str(len(big.collections["Invoices"]) // 200)}  # a full page from the middle of the ledger
    bare = _median_ms(lambda: _answer(big, "getInvoices", middle, {}), rounds)
    dumped = _median_ms(lambda: json.dumps(_answer(big, "getInvoices", middle, {})), rounds)
    as_query = {k: [v] for k, v in middle.items()}
    cached = _median_ms(lambda: big.answer_json("getInvoices", {}, as_query, {}), rounds)
    print(f"  {'100-invoice page, 1004 scale ' + str(scale):<50} {bare:7.3f} {dumped:7.3f} {cached:12.3f}")


if __name__ == "__main__":
    main()
