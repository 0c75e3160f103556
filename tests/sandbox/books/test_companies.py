"""Each source is its own company, built the same way every time for the same seed and scale."""

from __future__ import annotations

import json

import pytest

from ledgerflow_xero.sandbox.books import build_books, build_demo_books

from .conftest import SOURCES, books_for, ok


def _content(books) -> str:  # type: ignore[no-untyped-def]
    body = {k: v for k, v in books.collections.items()}
    journals = ok(books, "getJournals", {"offset": "40"})["Journals"]
    return json.dumps([body, journals, books.tenant_id], sort_keys=True)


def test_same_seed_same_books_other_seed_other_books() -> None:
    first, again, other = build_books(1009, seed=7), build_books(1009, seed=7), build_books(1009, seed=8)
    assert _content(first) == _content(again)
    assert _content(first) != _content(other)
    assert first.tenant_id != other.tenant_id
    assert build_demo_books().tenant_id == build_demo_books().tenant_id


def test_scale_multiplies_the_volume() -> None:
    one, three = books_for(1009), build_books(1009, scale=3)
    assert len(three.collections["Invoices"]) == 3 * len(one.collections["Invoices"])
    assert len(three.collections["Contacts"]) == 3 * len(one.collections["Contacts"])


@pytest.mark.parametrize("bad", [0, -1, "2", 1.5, True, 1001])
def test_bad_scale_or_source_is_refused_by_name(bad: object) -> None:
    with pytest.raises(ValueError, match="scale|source"):
        if bad == 1001:
            build_books(1002)
        else:
            build_books(1001, scale=bad)  # type: ignore[arg-type]


def test_the_companies_are_distinct() -> None:
    companies = [books_for(s) for s in SOURCES + ("demo",)]
    organisations = [ok(b, "getOrganisations")["Organisations"][0] for b in companies]
    assert len({o["Name"] for o in organisations}) == 4
    assert [o["BaseCurrency"] for o in organisations] == ["GBP", "USD", "ZAR", "AUD"]
    assert [o["FinancialYearEndMonth"] for o in organisations] == [12, 12, 2, 6]
    sizes = [len(b.collections["Invoices"]) for b in companies]
    assert len(set(sizes)) == 4
    rates = [{r["TaxType"]: r["EffectiveRate"] for r in ok(b, "getTaxRates")["TaxRates"]} for b in companies]
    assert rates[0]["OUTPUT2"] == 20.0 and rates[1]["TAX001"] == 8.875 and rates[2]["OUTPUT"] == 15.0
    assert len(ok(companies[1], "getTaxRateByTaxType", path={"TaxType": "TAX001"})["TaxRates"][0]["TaxComponents"]) == 2
    assert len({b.tenant_id for b in companies}) == 4


def test_source_quirks_pass_through() -> None:
    sage50, qbo, sage_cloud = (books_for(s) for s in SOURCES)
    assert {a["Code"] for a in ok(qbo, "getAccounts")["Accounts"]} == {""}  # QuickBooks: no account codes
    assert all(
        line["AccountCode"] == "" and line["AccountID"] for i in qbo.collections["Invoices"] for line in i["LineItems"]
    )
    sales = ok(sage50, "getAccounts", {"where": 'Type=="REVENUE"'})["Accounts"]
    assert {a["Code"] for a in sales} == {"4000", "4010"}  # Sage 50 nominal codes
    assert [a["Name"] for a in ok(sage50, "getAccounts", {"where": 'Code.StartsWith("220")'})["Accounts"]] == [
        "Sales Tax Control Account",
        "Purchase Tax Control Account",
    ]
    assert all("/" in a["Code"] for a in sage_cloud.collections["Accounts"])  # Sage Accounting "1000/000"
    card = ok(qbo, "getAccounts", {"where": 'BankAccountType=="CREDITCARD"'})["Accounts"]
    assert [a["Name"] for a in card] == ["Visa Credit Card"]
    assert all(i["InvoiceNumber"] == "" for i in qbo.collections["Invoices"] if i["Type"] == "ACCPAY")
