"""The books are consistent: every report agrees with the documents and journals, per source."""

from __future__ import annotations

import datetime as dt
from typing import Dict, List

import pytest

from ledgerflow_xero.sandbox.books import Books

from .conftest import cents, money_cents, ok, report, rows_by_title, section_rows

DATES = ("2025-03-31", "2025-12-31", "2026-02-28", "2026-06-15", "2026-10-31")
PERIODS = (("2025-01-01", "2025-12-31"), ("2025-10-01", "2026-03-31"), ("2026-03-01", "2026-10-31"))


def _all_journals(books: Books) -> List[Dict]:
    journals, offset = [], 0
    while True:
        page = ok(books, "getJournals", {"offset": str(offset)})["Journals"]
        if not page:
            return journals
        journals += page
        offset = page[-1]["JournalNumber"]


BASES = ("false", "true")  # paymentsOnly: accrual basis, cash basis


@pytest.mark.parametrize("payments_only", BASES)
@pytest.mark.parametrize("date", DATES)
def test_trial_balance_balances(books: Books, date: str, payments_only: str) -> None:
    rows = rows_by_title(report(books, "getReportTrialBalance", {"date": date, "paymentsOnly": payments_only}))
    debit, credit, ytd_debit, ytd_credit = (cents(v) for v in rows["Total"])
    assert debit == credit
    assert ytd_debit == ytd_credit > 0


@pytest.mark.parametrize("payments_only", BASES)
@pytest.mark.parametrize("date", DATES)
def test_balance_sheet_assets_equal_liabilities_plus_equity(books: Books, date: str, payments_only: str) -> None:
    query = {"date": date, "periods": "2", "timeframe": "QUARTER", "paymentsOnly": payments_only}
    sheet = report(books, "getReportBalanceSheet", query)
    rows = rows_by_title(sheet)
    assert len(rows["Total Assets"]) == 3
    for column in range(3):
        assets = cents(rows["Total Assets"][column])
        liabilities = cents(rows["Total Liabilities"][column])
        assert assets - liabilities == cents(rows["Net Assets"][column]) == cents(rows["Total Equity"][column])
    assert cents(rows["Total Assets"][0]) > 0


def _earnings(books: Books, date: dt.date, payments_only: str = "false") -> int:
    query = {"date": date.isoformat(), "paymentsOnly": payments_only}
    rows = rows_by_title(report(books, "getReportBalanceSheet", query))
    retained = next(
        v for k, v in rows.items() if k.startswith(books.ledger.accounts[books.ledger.role["retained"]]["Name"])
    )
    return cents(rows["Current Year Earnings"][0]) + cents(retained[0])


@pytest.mark.parametrize("payments_only", BASES)
@pytest.mark.parametrize("start,end", PERIODS)
def test_profit_equals_movement_in_earnings(books: Books, start: str, end: str, payments_only: str) -> None:
    query = {"fromDate": start, "toDate": end, "paymentsOnly": payments_only}
    profit = cents(rows_by_title(report(books, "getReportProfitAndLoss", query))["Net Profit"][0])
    before = dt.date.fromisoformat(start) - dt.timedelta(days=1)
    end_day = dt.date.fromisoformat(end)
    assert profit == _earnings(books, end_day, payments_only) - _earnings(books, before, payments_only)
    assert profit != 0


@pytest.mark.parametrize("date", DATES)
def test_cash_basis_keeps_the_bank_and_only_unallocated_credits(books: Books, date: str) -> None:
    accrual = rows_by_title(report(books, "getReportBalanceSheet", {"date": date}))
    cash = rows_by_title(report(books, "getReportBalanceSheet", {"date": date, "paymentsOnly": "true"}))
    assert cash["Total Bank"] == accrual["Total Bank"]
    ledger = books.ledger
    on = dt.date.fromisoformat(date)

    def unused(kinds: tuple) -> int:  # overpayments and prepayments not yet allocated
        return sum(
            total - sum(a for d, a in used if d <= on)
            for kind, _, day, total, used in ledger.credits
            if kind in kinds and day <= on
        )

    def shown(role: str) -> int:
        name = ledger.accounts[ledger.role[role]]["Name"]
        return cents(next((v for k, v in cash.items() if k.startswith(name)), ["0.00"])[0])

    # on a cash basis they are the only receivables and payables (each on the "wrong" side)
    assert shown("ar") == -unused(("RECEIVE-OVERPAYMENT", "RECEIVE-PREPAYMENT"))
    assert shown("ap") == -unused(("SPEND-OVERPAYMENT", "SPEND-PREPAYMENT"))


def test_cash_basis_income_is_the_paid_share_of_invoices(books: Books) -> None:
    pl = {"fromDate": "2025-01-01", "toDate": "2026-10-31"}
    accrual = cents(rows_by_title(report(books, "getReportProfitAndLoss", pl))["Total Income"][0])
    cash = cents(
        rows_by_title(report(books, "getReportProfitAndLoss", {**pl, "paymentsOnly": "true"}))["Total Income"][0]
    )
    assert 0 < cash < accrual
    cash_journals = ok(books, "getJournals", {"paymentsOnly": "true"})["Journals"]
    assert all(sum(money_cents(line["NetAmount"]) for line in j["JournalLines"]) == 0 for j in cash_journals)


def test_profit_and_loss_income_matches_the_journals(books: Books) -> None:
    start, end = dt.date(2025, 4, 1), dt.date(2025, 9, 30)
    pl = report(books, "getReportProfitAndLoss", {"fromDate": start.isoformat(), "toDate": end.isoformat()})
    income = cents(rows_by_title(pl)["Total Income"][0])
    from_journals = 0
    for journal in _all_journals(books):
        day = dt.datetime.utcfromtimestamp(int(journal["JournalDate"][6:-7]) / 1000).date()
        if start <= day <= end:
            from_journals -= sum(
                money_cents(line["NetAmount"])
                for line in journal["JournalLines"]
                if line["AccountType"] in ("REVENUE", "SALES")
            )
    assert income == from_journals > 0


def test_every_journal_balances_and_lines_add_up(books: Books) -> None:
    journals = _all_journals(books)
    assert [j["JournalNumber"] for j in journals] == list(range(1, len(journals) + 1))
    kinds = {j["SourceType"] for j in journals}
    assert {
        "ACCREC",
        "ACCPAY",
        "ACCRECCREDIT",
        "ACCRECPAYMENT",
        "ACCPAYPAYMENT",
        "CASHPAID",
        "CASHREC",
        "TRANSFER",
        "MANJOURNAL",
        "AROVERPAYMENT",
        "ARPREPAYMENT",
        "APOVERPAYMENT",
        "APPREPAYMENT",
        "ACCPAYCREDIT",
        "ARCREDITPAYMENT",
    } <= kinds
    for journal in journals:
        lines = journal["JournalLines"]
        assert sum(money_cents(line["NetAmount"]) for line in lines) == 0, journal["JournalNumber"]
        for line in lines:
            assert money_cents(line["GrossAmount"]) == money_cents(line["NetAmount"]) + money_cents(line["TaxAmount"])


def test_documents_add_up(books: Books) -> None:
    for invoice in ok(books, "getInvoices")["Invoices"]:
        lines = invoice["LineItems"]
        assert money_cents(invoice["SubTotal"]) == sum(money_cents(x["LineAmount"]) for x in lines)
        assert money_cents(invoice["TotalTax"]) == sum(money_cents(x["TaxAmount"]) for x in lines)
        assert money_cents(invoice["Total"]) == money_cents(invoice["SubTotal"]) + money_cents(invoice["TotalTax"])
        if invoice["Status"] in ("AUTHORISED", "PAID"):
            paid_credited = money_cents(invoice["AmountPaid"]) + money_cents(invoice["AmountCredited"])
            assert money_cents(invoice["AmountDue"]) == money_cents(invoice["Total"]) - paid_credited
            assert (invoice["Status"] == "PAID") == (invoice["AmountDue"] == 0)


def test_aged_receivables_equal_the_open_sales_invoices(books: Books) -> None:
    invoices = ok(books, "getInvoices", {"where": 'Type=="ACCREC" AND Status=="AUTHORISED" AND AmountDue>0'})[
        "Invoices"
    ]
    open_by_contact: Dict[str, int] = {}
    for invoice in invoices:
        contact = invoice["Contact"]["ContactID"]
        open_by_contact[contact] = open_by_contact.get(contact, 0) + money_cents(invoice["AmountDue"])
    assert open_by_contact
    for contact in ok(books, "getContacts", {"where": "IsCustomer==true"})["Contacts"]:
        aged = report(books, "getReportAgedReceivablesByContact", {"contactId": contact["ContactID"]})
        due = cents(rows_by_title(aged)["Total"][-1])
        assert due == open_by_contact.get(contact["ContactID"], 0), contact["Name"]


# (control account role, aged report, the contacts it is run for, the credits that lower the balance)
CONTROL_ACCOUNTS = {
    "receivables": ("ar", "getReportAgedReceivablesByContact", "customers",
                    ("ACCRECCREDIT", "RECEIVE-OVERPAYMENT", "RECEIVE-PREPAYMENT")),
    "payables": ("ap", "getReportAgedPayablesByContact", "suppliers",
                 ("ACCPAYCREDIT", "SPEND-OVERPAYMENT", "SPEND-PREPAYMENT")),
}


@pytest.mark.parametrize("date", DATES)
@pytest.mark.parametrize("side", CONTROL_ACCOUNTS)
def test_control_account_is_open_documents_less_unused_credit(books: Books, side: str, date: str) -> None:
    role, aged_report, contacts, credit_kinds = CONTROL_ACCOUNTS[side]
    ledger = books.ledger
    on = dt.date.fromisoformat(date)
    rows = rows_by_title(report(books, "getReportBalanceSheet", {"date": date}))
    name = ledger.accounts[ledger.role[role]]["Name"]
    balance = cents(next(v for k, v in rows.items() if k.startswith(name))[0])
    aged_total = sum(
        cents(rows_by_title(report(books, aged_report, {"contactId": c["ContactID"], "date": date}))["Total"][-1])
        for c in getattr(ledger, contacts)
    )
    unused = sum(
        total - sum(a for d, a in used if d <= on)
        for kind, _, day, total, used in ledger.credits
        if kind in credit_kinds and day <= on
    )
    assert balance == aged_total - unused
    assert aged_total > 0


@pytest.mark.parametrize("start,end", PERIODS)
def test_bank_summary_rolls_forward(books: Books, start: str, end: str) -> None:
    summary = report(books, "getReportBankSummary", {"fromDate": start, "toDate": end})
    before = (dt.date.fromisoformat(start) - dt.timedelta(days=1)).isoformat()
    sheet_end = rows_by_title(report(books, "getReportBalanceSheet", {"date": end}))
    sheet_start = rows_by_title(report(books, "getReportBalanceSheet", {"date": before}))
    banks = [(name, values) for name, values in section_rows(summary, "") if name != "Total"]
    assert len(banks) >= 2
    for name, values in banks:
        opening, received, spent, closing = (cents(v) for v in values)
        assert opening + received - spent == closing
        assert received > 0
        label = next(k for k in sheet_end if k.startswith(name))
        assert closing == cents(sheet_end[label][0])
        assert opening == (cents(sheet_start[label][0]) if label in sheet_start else 0)
    assert cents(section_rows(summary, "")[-1][1][2]) > 0  # money was spent


def test_profit_and_loss_tracking_split_sums_to_the_total(books: Books) -> None:
    category = ok(books, "getTrackingCategories")["TrackingCategories"][0]
    query = {"fromDate": "2025-01-01", "toDate": "2026-06-30"}
    plain = rows_by_title(report(books, "getReportProfitAndLoss", query))
    split = report(books, "getReportProfitAndLoss", {**query, "trackingCategoryID": category["TrackingCategoryID"]})
    header = [c["Value"] for c in split["Rows"][0]["Cells"]][1:]
    assert header == [o["Name"] for o in category["Options"]] + ["Unassigned", "Total"]
    rows = rows_by_title(split)
    for title, values in rows.items():
        if title == "":
            continue
        figures = [cents(v) for v in values]
        assert sum(figures[:-1]) == figures[-1], title
        assert figures[-1] == cents(plain[title][0]), title
    assert all(cents(v) != 0 for v in rows["Total Income"][:-2])  # every option carries income
    option = category["Options"][1]
    one = report(
        books,
        "getReportProfitAndLoss",
        {**query, "trackingCategoryID": category["TrackingCategoryID"], "trackingOptionID": option["TrackingOptionID"]},
    )
    assert rows_by_title(one)["Net Profit"] == [rows["Net Profit"][1]]


def test_profit_and_loss_periods_compare_earlier_months(books: Books) -> None:
    pl = report(
        books,
        "getReportProfitAndLoss",
        {"fromDate": "2026-09-01", "toDate": "2026-09-30", "periods": "2", "timeframe": "MONTH"},
    )
    nets = rows_by_title(pl)["Net Profit"]
    for k, (start, end) in enumerate(
        (("2026-09-01", "2026-09-30"), ("2026-08-01", "2026-08-31"), ("2026-07-01", "2026-07-31"))
    ):
        single = report(books, "getReportProfitAndLoss", {"fromDate": start, "toDate": end})
        assert nets[k] == rows_by_title(single)["Net Profit"][0]


def test_aged_report_date_range_keeps_invoices_dated_within_it(books: Books) -> None:
    contact = max(books.ledger.customers, key=lambda c: sum(b.contact is c for b in books.ledger.invoice_books))
    whole = report(
        books, "getReportAgedReceivablesByContact", {"contactId": contact["ContactID"], "date": "2026-10-31"}
    )
    part = report(
        books,
        "getReportAgedReceivablesByContact",
        {"contactId": contact["ContactID"], "date": "2026-10-31", "fromDate": "2026-01-01", "toDate": "2026-06-30"},
    )
    dated = [r["Cells"][0]["Value"][:10] for r in part["Rows"][1]["Rows"] if r["RowType"] == "Row"]
    assert all("2026-01-01" <= d <= "2026-06-30" for d in dated)
    every = [r["Cells"][0]["Value"][:10] for r in whole["Rows"][1]["Rows"] if r["RowType"] == "Row"]
    assert dated == [d for d in every if "2026-01-01" <= d <= "2026-06-30"]
    assert 0 < len(dated) < len(every)


def test_contact_balances_equal_their_aged_reports(books: Books) -> None:
    checked = 0
    for contact in ok(books, "getContacts")["Contacts"]:
        balances = ok(books, "getContact", path={"ContactID": contact["ContactID"]})["Contacts"][0]["Balances"]
        for side, operation_id in (
            ("AccountsReceivable", "getReportAgedReceivablesByContact"),
            ("AccountsPayable", "getReportAgedPayablesByContact"),
        ):
            aged = report(books, operation_id, {"contactId": contact["ContactID"]})
            rows = [r for r in aged["Rows"][1]["Rows"] if r["RowType"] == "Row"]
            due = sum(cents(r["Cells"][-1]["Value"]) for r in rows)
            overdue = sum(cents(r["Cells"][-1]["Value"]) for r in rows if r["Cells"][3]["Value"] == "Overdue")
            assert money_cents(balances[side]["Outstanding"]) == due
            assert money_cents(balances[side]["Overdue"]) == overdue
            checked += due > 0
    assert checked > 2
