"""Xero's query semantics: where (a hand-written parser), order, filters, paging, If-Modified-Since."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Callable, Dict, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledgerflow_xero.sandbox.books import OPERATIONS, Books, build_books

from .conftest import books_for, ok, refused


@pytest.fixture(scope="module")
def uk() -> Books:
    return books_for(1001)


@pytest.fixture(scope="module")
def invoices(uk: Books) -> List[Dict[str, Any]]:
    return list(uk.collections["Invoices"])


def _day(value: str) -> dt.datetime:
    return dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=int(value[6:-7]))


def _where(books: Books, clause: str, operation: str = "getInvoices", key: str = "Invoices") -> List[str]:
    id_key = {"Invoices": "InvoiceID", "Contacts": "ContactID", "Accounts": "AccountID"}[key]
    return [r[id_key] for r in ok(books, operation, {"where": clause})[key]]


def _expect(records: List[Dict[str, Any]], test: Callable[[Dict[str, Any]], bool]) -> List[str]:
    chosen = [r["InvoiceID"] for r in records if test(r)]
    assert chosen and len(chosen) < len(records), "the case must select some records, not all"
    return chosen


CASES = [
    ('Status == "PAID"', lambda r: r["Status"] == "PAID"),
    ('Status != "PAID"', lambda r: r["Status"] != "PAID"),
    ("Total > 1000", lambda r: r["Total"] > 1000),
    ("Total >= 1000.5", lambda r: r["Total"] >= 1000.5),
    ("Total < 500", lambda r: r["Total"] < 500),
    ("Total <= 500", lambda r: r["Total"] <= 500),
    ('Type=="ACCREC"&&AmountDue>0', lambda r: r["Type"] == "ACCREC" and r["AmountDue"] > 0),
    ('Status=="DRAFT" || Status=="VOIDED"', lambda r: r["Status"] in ("DRAFT", "VOIDED")),
    ("Date >= datetime(2026, 01, 01)", lambda r: _day(r["Date"]) >= dt.datetime(2026, 1, 1)),
    ("Date < DateTime(2025,6,1,12,0,0)", lambda r: _day(r["Date"]) < dt.datetime(2025, 6, 1, 12)),
    ('InvoiceNumber.StartsWith("101")', lambda r: r["InvoiceNumber"].startswith("101")),
    ('InvoiceNumber.EndsWith("7")', lambda r: r["InvoiceNumber"].endswith("7")),
    ('Contact.Name.Contains("Oak")', lambda r: "Oak" in r["Contact"]["Name"]),
    ('Contact.Name.ToLower() == "oakridge builders"', lambda r: r["Contact"]["Name"].lower() == "oakridge builders"),
    ('Contact.Name.ToUpper().Contains("OAK")', lambda r: "OAK" in r["Contact"]["Name"].upper()),
    ("SentToContact == true", lambda r: r["SentToContact"] is True),
    ("sentToContact == FALSE", lambda r: r["SentToContact"] is False),
    ("FullyPaidOnDate == null", lambda r: "FullyPaidOnDate" not in r),
    ("FullyPaidOnDate != null", lambda r: "FullyPaidOnDate" in r),
    # AND binds tighter than OR; parentheses override
    (
        'Status=="DRAFT" OR Status=="PAID" AND Total>2000',
        lambda r: r["Status"] == "DRAFT" or (r["Status"] == "PAID" and r["Total"] > 2000),
    ),
    (
        '(Status=="DRAFT" OR Status=="PAID") AND Total>2000',
        lambda r: r["Status"] in ("DRAFT", "PAID") and r["Total"] > 2000,
    ),
    ("1000 < Total", lambda r: r["Total"] > 1000),
    ('Reference == "PO-\\"none\\"" OR Type == "ACCPAY"', lambda r: r["Type"] == "ACCPAY"),
]


@pytest.mark.parametrize("clause,test", CASES, ids=[c for c, _ in CASES])
def test_where_selects_what_xero_would(uk: Books, invoices: List[Dict[str, Any]], clause: str, test: Any) -> None:
    assert _where(uk, clause) == _expect(invoices, test)


def test_where_on_a_nested_guid(uk: Books, invoices: List[Dict[str, Any]]) -> None:
    contact = invoices[0]["Contact"]["ContactID"]
    expected = _expect(invoices, lambda r: r["Contact"]["ContactID"] == contact)
    assert _where(uk, f'Contact.ContactID == Guid("{contact.upper()}")') == expected
    assert _where(uk, f'Contact.ContactID == "{contact}"') == expected
    assert _where(uk, f'Contact.ContactID==guid("{contact}")') == expected  # the spelling in Xero's docs
    assert _where(uk, f'Contact.ContactID != Guid("{contact}")') == [
        r["InvoiceID"] for r in invoices if r["Contact"]["ContactID"] != contact
    ]


def test_where_works_on_other_collections(uk: Books) -> None:
    customers = _where(uk, 'IsCustomer == true AND ContactStatus == "ACTIVE"', "getContacts", "Contacts")
    assert customers and len(customers) == len(uk.ledger.customers)
    banks = _where(uk, 'Type == "BANK"', "getAccounts", "Accounts")
    assert len(banks) == 2


REFUSED = [
    ('__import__("os").system("id")', "unsupported function '__import__'"),
    ('Status == "PAID"; DROP TABLE', "unexpected ';"),
    ("NoSuchField == 1", "unknown field 'NoSuchField'"),
    ("Contact.Nope == 1", "unknown field 'Contact.Nope'"),
    ("Status ==", "expected a field or a value but found 'the end'"),
    ('Status = "PAID"', "unexpected '= \"PAID\"'"),
    ('(Status == "PAID"', "expected ')' but found 'the end'"),
    ('Total == "abc"', 'cannot compare Total (a number) with "abc"'),
    ("Status > 5", "cannot compare Status (a text field) with 5"),
    ("Date > DateTime(2025,13,1)", "DateTime(2025, 13, 1) is not a date"),
    ("Date > DateTime(2025)", "DateTime() takes (year, month, day)"),
    ('Contact.ContactID == Guid("nope")', 'Guid("nope") needs a quoted GUID'),
    ('Contact.ContactID > Guid("00000000-0000-0000-0000-000000000000")', "can only be compared with == or !="),
    ("InvoiceNumber.Length == 3", "unknown field 'InvoiceNumber.Length'"),
    ('InvoiceNumber.Matches("x")', "unsupported method Matches('x')"),
    ('Total.Contains("1")', "Contains() needs a text field; Total is a number"),
    ("LineItems == null", ""),
    ("Contact == 1", "Contact is a object"),
    ("1 == 1", "compares two values"),
    ("Total", "expected a comparison after 'Total'"),
    ('NOT Status == "PAID"', "unknown field 'NOT'"),
    ("(" * 500 + "Total>1" + ")" * 500, "parentheses nested deeper than 20"),
    ("Total>1 AND " * 200 + "Total>1", "longer than 2000 characters"),
    ("", ""),
]


@pytest.mark.parametrize("clause,message", REFUSED, ids=[c[:40] or "empty" for c, _ in REFUSED])
def test_where_refuses_by_name(uk: Books, clause: str, message: str) -> None:
    if clause == "":
        assert ok(uk, "getInvoices", {"where": ""})["Invoices"] == uk.collections["Invoices"]
        return
    text = refused(uk, "getInvoices", {"where": clause})
    assert text.startswith("where: ")
    assert message in text


def test_unknown_and_bad_query_parameters_are_named(uk: Books) -> None:
    assert "'modifiedAfter'" in refused(uk, "getInvoices", {"modifiedAfter": "x"})
    assert "'page'" in refused(uk, "getAccounts", {"page": "1"})  # the spec does not page accounts
    assert "page '0'" in refused(uk, "getInvoices", {"page": "0"})
    assert "pageSize '1001'" in refused(uk, "getInvoices", {"page": "1", "pageSize": "1001"})
    assert "summaryOnly 'yes'" in refused(uk, "getInvoices", {"summaryOnly": "yes"})
    assert "order 'Total SIDEWAYS'" in refused(uk, "getInvoices", {"order": "Total SIDEWAYS"})
    assert "order: unknown field 'Nope'" in refused(uk, "getInvoices", {"order": "Nope DESC"})
    assert "If-Modified-Since 'yesterday'" in refused(uk, "getInvoices", {}, headers={"If-Modified-Since": "yesterday"})
    assert "If-Modified-Since" in refused(uk, "getCurrencies", {}, headers={"if-modified-since": "2025-01-01"})
    status, body = uk.answer("getInvoices", {}, {"page": ["1", "2"]}, {})
    assert status == 400 and "more than once" in body["Message"]


def test_list_filters(uk: Books, invoices: List[Dict[str, Any]]) -> None:
    picked = [invoices[3], invoices[10], invoices[40]]
    ids = ",".join(r["InvoiceID"].upper() for r in picked)
    assert ok(uk, "getInvoices", {"IDs": ids})["Invoices"] == picked
    numbers = ",".join(r["InvoiceNumber"] for r in picked if r["InvoiceNumber"])
    assert [
        r["InvoiceNumber"] for r in ok(uk, "getInvoices", {"InvoiceNumbers": numbers})["Invoices"]
    ] == numbers.split(",")
    contact = invoices[0]["Contact"]["ContactID"]
    got = ok(uk, "getInvoices", {"contactids": contact, "Statuses": "PAID,AUTHORISED"})["Invoices"]
    assert got == [
        r for r in invoices if r["Contact"]["ContactID"] == contact and r["Status"] in ("PAID", "AUTHORISED")
    ]
    assert ok(uk, "getInvoices", {"createdByMyApp": "true"})["Invoices"] == []
    term = invoices[5]["Reference"][3:]
    assert invoices[5] in ok(uk, "getInvoices", {"searchTerm": term.lower()})["Invoices"]
    summary = ok(uk, "getInvoices", {"summaryOnly": "true", "page": "1"})["Invoices"]
    assert "LineItems" not in summary[0] and summary[0]["Total"] == invoices[0]["Total"]
    archived = ok(uk, "getContacts", {"includeArchived": "true"})["Contacts"]
    active = ok(uk, "getContacts")["Contacts"]
    assert len(archived) > len(active) and all(c["ContactStatus"] == "ACTIVE" for c in active)


def test_order_by_nested_field_and_direction(uk: Books, invoices: List[Dict[str, Any]]) -> None:
    got = ok(uk, "getInvoices", {"order": "Contact.Name DESC, Total ASC"})["Invoices"]
    assert got == sorted(
        sorted(invoices, key=lambda r: r["Total"]), key=lambda r: r["Contact"]["Name"].lower(), reverse=True
    )
    by_date = ok(uk, "getInvoices", {"order": "UpdatedDateUTC"})["Invoices"]
    stamps = [int(r["UpdatedDateUTC"][6:-7]) for r in by_date]
    assert stamps == sorted(stamps)


def test_if_modified_since_filters_on_updated_date(uk: Books, invoices: List[Dict[str, Any]]) -> None:
    cut = dt.datetime(2026, 5, 1, tzinfo=dt.timezone.utc)
    expected = [r for r in invoices if _day(r["UpdatedDateUTC"]) > cut.replace(tzinfo=None)]
    assert 0 < len(expected) < len(invoices)
    assert ok(uk, "getInvoices", headers={"If-Modified-Since": "Fri, 01 May 2026 00:00:00 GMT"})["Invoices"] == expected
    assert ok(uk, "getInvoices", headers={"If-Modified-Since": "2026-05-01T02:00:00+02:00"})["Invoices"] == expected


def test_single_records_by_id_and_number(uk: Books, invoices: List[Dict[str, Any]]) -> None:
    invoice = next(r for r in invoices if r["InvoiceNumber"])
    assert ok(uk, "getInvoice", path={"InvoiceID": invoice["InvoiceID"]})["Invoices"] == [invoice]
    assert ok(uk, "getInvoice", path={"InvoiceID": invoice["InvoiceNumber"]})["Invoices"] == [invoice]
    assert uk.record("getInvoiceAsPdf", {"InvoiceID": invoice["InvoiceID"]}) is invoice
    contact = uk.collections["Contacts"][0]
    assert ok(uk, "getContactByContactNumber", path={"ContactNumber": contact["ContactNumber"]})["Contacts"] == [
        contact
    ]
    journal = ok(uk, "getJournalByNumber", path={"JournalNumber": "7"})["Journals"][0]
    assert ok(uk, "getJournal", path={"JournalID": journal["JournalID"]})["Journals"] == [journal]
    status, body = uk.answer("getInvoice", {"InvoiceID": "00000000-0000-0000-0000-000000000000"}, {}, {})
    assert status == 404 and body["Status"] == 404 and "00000000-0000" in body["Detail"]
    status, body = uk.answer("getItems", {}, {}, {})
    assert status == 404 and "getItems" in body["Detail"]


def test_journals_page_by_offset_and_payments_only(uk: Books) -> None:
    first = ok(uk, "getJournals")["Journals"]
    assert [j["JournalNumber"] for j in first] == list(range(1, 101))
    after = ok(uk, "getJournals", {"offset": "250"})["Journals"]
    assert after[0]["JournalNumber"] == 251
    cash = ok(uk, "getJournals", {"paymentsOnly": "true"})["Journals"]  # the cash-basis journals
    assert len(cash) == 100 and {j["SourceType"] for j in cash} <= {
        "MANJOURNAL",
        "AROVERPAYMENT",
        "ARPREPAYMENT",
        "APOVERPAYMENT",
        "APPREPAYMENT",
        "ACCRECPAYMENT",
        "ACCPAYPAYMENT",
        "ARCREDITPAYMENT",
        "APCREDITPAYMENT",
        "CASHREC",
        "CASHPAID",
        "TRANSFER",
    }


def test_report_parameters_not_implemented_are_named(uk: Books) -> None:
    assert "paymentsOnly 'cash'" in refused(uk, "getReportBalanceSheet", {"paymentsOnly": "cash"})
    assert "trackingOptionID1" in refused(uk, "getReportBalanceSheet", {"trackingOptionID1": "x"})
    assert "trackingCategoryID2" in refused(uk, "getReportProfitAndLoss", {"trackingCategoryID2": "x"})
    assert "timeframe 'WEEK'" in refused(uk, "getReportBalanceSheet", {"timeframe": "WEEK"})
    assert "periods '12'" in refused(uk, "getReportBalanceSheet", {"periods": "12"})
    assert "date 'tomorrow'" in refused(uk, "getReportTrialBalance", {"date": "tomorrow"})
    assert "contactId is required" in refused(uk, "getReportAgedReceivablesByContact", {})
    assert "fromDate 2026-02-01 is after toDate" in refused(
        uk, "getReportBankSummary", {"fromDate": "2026-02-01", "toDate": "2026-01-01"}
    )
    assert "'foo'" in refused(uk, "getReportFromId", {"foo": "1"}, path={"ReportID": "BalanceSheet"})
    status, body = uk.answer("getReportFromId", {"ReportID": "BudgetSummary"}, {}, {})
    assert status == 404
    assert ok(uk, "getReportFromId", path={"ReportID": "TrialBalance"})["Reports"][0]["ReportID"] == "TrialBalance"


def test_paging_a_large_ledger_sees_every_invoice_once() -> None:
    big = build_books(1004, scale=11)
    everything = big.collections["Invoices"]
    assert len(everything) > 10_000
    for query, size in (({}, 100), ({"pageSize": "1000"}, 1000), ({"order": "Total DESC"}, 100)):
        seen: List[str] = []
        page = 1
        while True:
            body = ok(big, "getInvoices", {"page": str(page), **query})
            assert body["pagination"] == {
                "page": page,
                "pageSize": size,
                "pageCount": -(-len(everything) // size),
                "itemCount": len(everything),
            }
            if not body["Invoices"]:
                break
            seen += [r["InvoiceID"] for r in body["Invoices"]]
            page += 1
        assert len(seen) == len(set(seen)) == len(everything)
        if "order" in query:
            again = [r["InvoiceID"] for r in ok(big, "getInvoices", {"page": "3", **query})["Invoices"]]
            assert again == seen[200:300]  # the same order on every call
            totals = {r["InvoiceID"]: r["Total"] for r in everything}
            assert [totals[i] for i in seen] == sorted(totals.values(), reverse=True)


def test_an_unknown_aged_report_contact_is_not_found(uk: Books) -> None:
    status, body = uk.answer(
        "getReportAgedPayablesByContact", {}, {"contactId": ["0" * 8 + "-0000-0000-0000-" + "0" * 12]}, {}
    )
    assert status == 404 and "no contact 00000000-0000" in body["Detail"]


@pytest.mark.parametrize(
    "operation_id,query",
    [
        ("getInvoices", {"page": "2"}),
        ("getInvoices", {"page": "1", "summaryOnly": "true"}),
        ("getContacts", {"where": "IsCustomer==true"}),
        ("getReportBalanceSheet", {}),
        ("getJournals", {}),
        ("getInvoices", {"where": "Nope==1"}),
    ],
)
def test_answer_json_is_the_answer_serialised(uk: Books, operation_id: str, query: Dict[str, str]) -> None:
    as_query = {k: [v] for k, v in query.items()}
    for _ in range(2):  # the second time from the per-record cache
        status, raw = uk.answer_json(operation_id, {}, as_query, {})
        expected_status, expected = uk.answer(operation_id, {}, as_query, {})
        decoded = json.loads(raw)
        for body in (decoded, expected):
            body.pop("Id", None), body.pop("DateTimeUTC", None), body.pop("Instance", None)
        assert (status, decoded) == (expected_status, expected)


_WHERE_ALPHABET = st.sampled_from(
    [
        "Total",
        "Status",
        "Contact",
        ".",
        "Name",
        "ContactID",
        "==",
        "!=",
        "<",
        ">=",
        "AND",
        "OR",
        "&&",
        "||",
        "(",
        ")",
        '"PAID"',
        '"x\\"y"',
        "5",
        "-1.5",
        "true",
        "null",
        "DateTime(2025,1,1)",
        "Guid(",
        ")",
        ",",
        "Contains",
        "ToLower",
        '("a")',
        "()",
        " ",
        "__import__",
        "'",
        ";",
        "=",
        "Date",
        "LineItems",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_WHERE_ALPHABET, max_size=12).map("".join) | st.text(max_size=40))
def test_any_where_text_is_answered_or_refused_never_raised(uk: Books, clause: str) -> None:
    status, body = uk.answer("getInvoices", {}, {"where": [clause]}, {})
    assert status in (200, 400)
    if status == 400:
        assert body["Type"] == "ValidationException" and body["Message"].startswith("where: ")


_PARAMETER_NAMES = st.sampled_from(
    [
        "page",
        "pageSize",
        "where",
        "order",
        "IDs",
        "Statuses",
        "date",
        "fromDate",
        "toDate",
        "periods",
        "timeframe",
        "paymentsOnly",
        "contactId",
        "trackingCategoryID",
        "offset",
        "unitdp",
        "summaryOnly",
        "searchTerm",
        "x",
    ]
)
_PARAMETER_VALUES = st.sampled_from(
    [
        "1",
        "0",
        "-1",
        "1000",
        "99999999999",
        "true",
        "False",
        "2026-02-29",
        "2026-02-28",
        "2025-13-01",
        "MONTH",
        "WEEK",
        "Total DESC",
        'Status=="PAID"',
        "",
        " ",
        "\x00",
        "é",
        "2026-01-01T00:00:00",
    ]
) | st.text(max_size=12)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(OPERATIONS)), st.dictionaries(_PARAMETER_NAMES, _PARAMETER_VALUES, max_size=4))
def test_any_query_is_answered_or_refused_never_raised(uk: Books, operation_id: str, query: Dict[str, str]) -> None:
    path = {"Id": uk.collections["Invoices"][0]["InvoiceID"]} if operation_id[-1] != "s" else {}
    status, body = uk.answer(operation_id, path, {k: [v] for k, v in query.items()}, {})
    assert status in (200, 400, 404), body
