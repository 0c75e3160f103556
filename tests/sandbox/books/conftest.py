"""Books built once per test session: building is deterministic, so tests share them read-only."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from ledgerflow_xero.sandbox.books import Books, build_books, build_demo_books

SOURCES = (1001, 1004, 1009)
_BUILT: Dict[Any, Books] = {}


def books_for(source: Any) -> Books:
    if source not in _BUILT:
        _BUILT[source] = build_demo_books() if source == "demo" else build_books(source)
    return _BUILT[source]


@pytest.fixture(params=SOURCES + ("demo",), ids=lambda s: str(s))
def books(request: pytest.FixtureRequest) -> Books:
    return books_for(request.param)


def ok(
    books: Books,
    operation_id: str,
    query: Dict[str, str] | None = None,
    path: Dict[str, str] | None = None,
    headers: Dict[str, str] | None = None,
) -> Dict[str, Any]:
    """The body of a 200 answer (fails the test on any other status)."""
    status, body = books.answer(operation_id, path or {}, {k: [v] for k, v in (query or {}).items()}, headers or {})
    assert status == 200, body
    return body


def refused(
    books: Books,
    operation_id: str,
    query: Dict[str, str],
    path: Dict[str, str] | None = None,
    headers: Dict[str, str] | None = None,
) -> str:
    """The message of a 400 answer (fails the test on any other status)."""
    status, body = books.answer(operation_id, path or {}, {k: [v] for k, v in query.items()}, headers or {})
    assert status == 400, body
    assert body["Type"] == "ValidationException"
    return str(body["Message"])


def report(books: Books, operation_id: str, query: Dict[str, str] | None = None) -> Dict[str, Any]:
    return ok(books, operation_id, query)["Reports"][0]


def rows_by_title(report_json: Dict[str, Any]) -> Dict[str, List[str]]:
    """Every row's first cell -> the rest of its cell values, across all sections."""
    out: Dict[str, List[str]] = {}
    for row in report_json["Rows"]:
        for inner in row.get("Rows", []) if row["RowType"] == "Section" else [row]:
            cells = [c["Value"] for c in inner["Cells"]]
            out[cells[0]] = cells[1:]
    return out


def cents(value: str) -> int:
    whole, _, part = value.partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int((part + "00")[:2]))


def money_cents(value: float) -> int:
    return round(value * 100)


def section_rows(report_json: Dict[str, Any], title: str) -> List[Tuple[str, List[str]]]:
    for row in report_json["Rows"]:
        if row["RowType"] == "Section" and row.get("Title") == title:
            return [(r["Cells"][0]["Value"], [c["Value"] for c in r["Cells"][1:]]) for r in row["Rows"]]
    raise AssertionError(f"no section {title!r}")
