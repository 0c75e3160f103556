"""Xero's reports computed from a ledger's journals.

Every figure comes from the running account balances the ledger precomputes from its journal
lines, so the identities hold by construction of double entry, not by adjusting a total:
the trial balance balances, assets = liabilities + equity (with current-year earnings and
retained earnings derived from the revenue and expense accounts), profit and loss for a period
is the movement in those earnings, aged receivables list the open sales invoices.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Sequence, Tuple

from .errors import NotFound
from .ledger import Ledger, add_months, ms_day

Record = Dict[str, Any]

PROFIT_CLASSES = ("REVENUE", "EXPENSE")
_BS_SECTIONS = (
    ("Bank", ("BANK",), 1),
    ("Current Assets", ("CURRENT", "INVENTORY", "PREPAYMENT"), 1),
    ("Fixed Assets", ("FIXED",), 1),
    ("Non-current Assets", ("NONCURRENT",), 1),
)
_LIABILITY_SECTIONS = (
    ("Current Liabilities", ("CURRLIAB", "LIABILITY", "PAYG"), -1),
    ("Non-Current Liabilities", ("TERMLIAB",), -1),
)
_PL_SECTIONS = (
    ("Income", ("REVENUE", "SALES"), -1),
    ("Less Cost of Sales", ("DIRECTCOSTS",), 1),
    ("Plus Other Income", ("OTHERINCOME",), -1),
    ("Less Operating Expenses", ("EXPENSE", "OVERHEADS", "DEPRECIATN"), 1),
)
TIMEFRAMES = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}


def amount(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def long_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def short_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"


def _cell(value: str, account_id: str | None = None) -> Record:
    cell: Record = {"Value": value}
    if account_id:
        cell["Attributes"] = [{"Value": account_id, "Id": "account"}]
    return cell


def _row(kind: str, cells: List[Record]) -> Record:
    return {"RowType": kind, "Cells": cells}


def _header(*titles: str) -> Record:
    return _row("Header", [_cell(title) for title in titles])


def _section(title: str, rows: List[Record]) -> Record:
    return {"RowType": "Section", "Title": title, "Rows": rows}


class Reports:
    """The reports of one ledger; each method returns one ``ReportWithRow`` JSON object."""

    def __init__(self, ledger: Ledger, cash_basis: bool = False) -> None:
        self.ledger = ledger
        self.cash_basis = cash_basis  # paymentsOnly=true: from the ledger's cash-basis journals
        self.running = ledger.running_cash if cash_basis else ledger.running
        self.running_by_option = ledger.running_cash_by_option if cash_basis else ledger.running_by_option
        self.accounts = ledger.accounts
        self.profit_accounts = [i for i, a in enumerate(self.accounts) if a["Class"] in PROFIT_CLASSES]
        self.retained = ledger.role["retained"]

    # ------------------------------------------------------------ balances
    def balance(self, account: int, on: dt.date) -> int:
        return self.running[account].balance(on)

    def movement(self, account: int, start: dt.date, end: dt.date, option: int | None = None) -> int:
        if option is None:
            running = self.running[account]
        else:
            found = self.running_by_option.get((account, option))
            if found is None:
                return 0
            running = found
        return running.balance(end) - running.balance(start - dt.timedelta(days=1))

    def year_start(self, on: dt.date) -> dt.date:
        """The first day of the financial year that contains ``on``."""
        first_month = self.ledger.profile.year_end_month % 12 + 1
        year = on.year if on.month >= first_month else on.year - 1
        return dt.date(year, first_month, 1)

    def profit(self, start: dt.date, end: dt.date) -> int:
        """Net profit (income minus expenses) for the period, in cents."""
        return -sum(self.movement(a, start, end) for a in self.profit_accounts)

    def earnings(self, on: dt.date) -> Tuple[int, int]:
        """(retained earnings, current-year earnings) as the balance sheet shows them at ``on``."""
        year_start = self.year_start(on)
        before = year_start - dt.timedelta(days=1)
        prior_profit = -sum(self.balance(a, before) for a in self.profit_accounts)
        return -self.balance(self.retained, on) + prior_profit, self.profit(year_start, on)

    def _wrap(self, report_id: str, name: str, titles: List[str], day: dt.date, rows: List[Record]) -> Record:
        return {
            "ReportID": report_id,
            "ReportName": name,
            "ReportType": report_id,
            "ReportTitles": titles,
            "ReportDate": long_date(day),
            "UpdatedDateUTC": ms_day(self.ledger.today),
            "Fields": [{"FieldID": "paymentsOnly", "Value": "true" if self.cash_basis else "false"}],
            "Rows": rows,
        }

    def _accounts_of(self, types: Sequence[str], exclude: Sequence[int] = ()) -> List[int]:
        return [i for i, a in enumerate(self.accounts) if a["Type"] in types and i not in exclude]

    def _label(self, index: int) -> str:
        account = self.accounts[index]
        return f"{account['Name']} ({account['Code']})" if account["Code"] else account["Name"]

    # ------------------------------------------------------------ balance sheet
    def balance_sheet(self, on: dt.date, periods: int, months: int) -> Record:
        dates = [add_months(on, -months * k) for k in range(periods + 1)]
        rows: List[Record] = [_header("", *(short_date(d) for d in dates))]

        def block(sections: Sequence[Tuple[str, Tuple[str, ...], int]]) -> List[int]:
            totals = [0] * len(dates)
            for title, types, sign in sections:
                indexes = self._accounts_of(types)
                if not indexes:
                    continue
                section_rows = []
                section_totals = [0] * len(dates)
                for index in indexes:
                    values = [sign * self.balance(index, d) for d in dates]
                    section_totals = [t + v for t, v in zip(section_totals, values)]
                    account_id = self.accounts[index]["AccountID"]
                    section_rows.append(
                        _row(
                            "Row",
                            [_cell(self._label(index), account_id)] + [_cell(amount(v), account_id) for v in values],
                        )
                    )
                section_rows.append(
                    _row("SummaryRow", [_cell(f"Total {title}")] + [_cell(amount(v)) for v in section_totals])
                )
                rows.append(_section(title, section_rows))
                totals = [t + v for t, v in zip(totals, section_totals)]
            return totals

        rows.append(_section("Assets", []))
        assets = block(_BS_SECTIONS)
        rows.append(_section("", [_row("Row", [_cell("Total Assets")] + [_cell(amount(v)) for v in assets])]))
        rows.append(_section("Liabilities", []))
        liabilities = block(_LIABILITY_SECTIONS)
        rows.append(_section("", [_row("Row", [_cell("Total Liabilities")] + [_cell(amount(v)) for v in liabilities])]))
        net = [a - b for a, b in zip(assets, liabilities)]
        rows.append(_section("", [_row("Row", [_cell("Net Assets")] + [_cell(amount(v)) for v in net])]))
        equity_rows = []
        equity = [0] * len(dates)
        for index in self._accounts_of(("EQUITY",), exclude=(self.retained,)):
            values = [-self.balance(index, d) for d in dates]
            equity = [t + v for t, v in zip(equity, values)]
            account_id = self.accounts[index]["AccountID"]
            equity_rows.append(
                _row("Row", [_cell(self._label(index), account_id)] + [_cell(amount(v), account_id) for v in values])
            )
        earned = [self.earnings(d) for d in dates]
        retained_id = self.accounts[self.retained]["AccountID"]
        equity_rows.append(_row("Row", [_cell("Current Year Earnings")] + [_cell(amount(c)) for _, c in earned]))
        equity_rows.append(
            _row(
                "Row",
                [_cell(self._label(self.retained), retained_id)] + [_cell(amount(r), retained_id) for r, _ in earned],
            )
        )
        equity = [t + r + c for t, (r, c) in zip(equity, earned)]
        equity_rows.append(_row("SummaryRow", [_cell("Total Equity")] + [_cell(amount(v)) for v in equity]))
        rows.append(_section("Equity", equity_rows))
        name = self.ledger.profile.name
        return self._wrap("BalanceSheet", "Balance Sheet", ["Balance Sheet", name, f"As at {long_date(on)}"], on, rows)

    # ------------------------------------------------------------ profit and loss
    def profit_and_loss(
        self,
        start: dt.date,
        end: dt.date,
        periods: int,
        months: int,
        category: int | None,
        option: int | None,
    ) -> Record:
        # columns: (heading, start, end, tracking option or None (all), "unassigned" flag)
        columns: List[Tuple[str, dt.date, dt.date, int | None, bool]] = []
        if category is not None:
            options = self.ledger.category_options[category]
            if option is not None:
                options = [option]
            for o in options:
                columns.append((self.ledger.options[o][1]["Name"], start, end, o, False))
            if option is None:
                columns.append(("Unassigned", start, end, None, True))
                columns.append(("Total", start, end, None, False))
        else:
            for k in range(periods + 1):
                shifted_end = add_months(end, -months * k)
                shifted_start = add_months(start, -months * k)
                columns.append((short_date(shifted_end), shifted_start, shifted_end, None, False))
        options_of_category = self.ledger.category_options[category] if category is not None else []

        def value(index: int, column: Tuple[str, dt.date, dt.date, int | None, bool]) -> int:
            _, s, e, o, unassigned = column
            if unassigned:
                return self.movement(index, s, e) - sum(self.movement(index, s, e, x) for x in options_of_category)
            return self.movement(index, s, e, o)

        rows: List[Record] = [_header("", *(c[0] for c in columns))]
        totals: Dict[str, List[int]] = {}
        for title, types, sign in _PL_SECTIONS:
            section_rows = []
            section_totals = [0] * len(columns)
            for index in self._accounts_of(types):
                values = [sign * value(index, c) for c in columns]
                if not any(values):
                    continue
                section_totals = [t + v for t, v in zip(section_totals, values)]
                account_id = self.accounts[index]["AccountID"]
                section_rows.append(
                    _row(
                        "Row", [_cell(self._label(index), account_id)] + [_cell(amount(v), account_id) for v in values]
                    )
                )
            totals[title] = section_totals
            section_rows.append(
                _row(
                    "SummaryRow",
                    [_cell(f"Total {title.split(' ', 1)[-1] if title != 'Income' else 'Income'}")]
                    + [_cell(amount(v)) for v in section_totals],
                )
            )
            rows.append(_section(title, section_rows))
            if title == "Less Cost of Sales":
                gross = [i - c for i, c in zip(totals["Income"], totals["Less Cost of Sales"])]
                rows.append(_section("", [_row("Row", [_cell("Gross Profit")] + [_cell(amount(v)) for v in gross])]))
        net = [
            i - c + o - x
            for i, c, o, x in zip(
                totals["Income"],
                totals["Less Cost of Sales"],
                totals["Plus Other Income"],
                totals["Less Operating Expenses"],
            )
        ]
        rows.append(_section("", [_row("Row", [_cell("Net Profit")] + [_cell(amount(v)) for v in net])]))
        name = self.ledger.profile.name
        title = f"For the period {long_date(start)} to {long_date(end)}"
        return self._wrap("ProfitAndLoss", "Profit and Loss", ["Profit and Loss", name, title], end, rows)

    # ------------------------------------------------------------ trial balance
    def trial_balance(self, on: dt.date) -> Record:
        month_start = on.replace(day=1)
        year_start = self.year_start(on)
        retained, _ = self.earnings(on)
        rows: List[Record] = [
            _header("Account", "Debit", "Credit", "YTD Debit", "YTD Credit")
        ]
        groups = (
            ("Revenue", ("REVENUE",)),
            ("Expenses", ("EXPENSE",)),
            ("Assets", ("ASSET",)),
            ("Liabilities", ("LIABILITY",)),
            ("Equity", ("EQUITY",)),
        )
        sums = [0, 0, 0, 0]
        for title, classes in groups:
            section_rows = []
            for index, account in enumerate(self.accounts):
                if account["Class"] not in classes:
                    continue
                month = self.movement(index, month_start, on)
                if account["Class"] in PROFIT_CLASSES:
                    ytd = self.movement(index, year_start, on)
                elif index == self.retained:
                    ytd = -retained
                else:
                    ytd = self.balance(index, on)
                figures = [max(month, 0), max(-month, 0), max(ytd, 0), max(-ytd, 0)]
                if not any(figures):
                    continue
                sums = [s + f for s, f in zip(sums, figures)]
                account_id = account["AccountID"]
                section_rows.append(
                    _row(
                        "Row", [_cell(self._label(index), account_id)] + [_cell(amount(f), account_id) for f in figures]
                    )
                )
            rows.append(_section(title, section_rows))
        rows.append(_section("", [_row("SummaryRow", [_cell("Total")] + [_cell(amount(s)) for s in sums])]))
        name = self.ledger.profile.name
        return self._wrap("TrialBalance", "Trial Balance", ["Trial Balance", name, f"As at {long_date(on)}"], on, rows)

    # ------------------------------------------------------------ bank summary
    def bank_summary(self, start: dt.date, end: dt.date) -> Record:
        rows: List[Record] = [
            _header("Bank Accounts", "Opening Balance", "Cash Received", "Cash Spent", "Closing Balance")
        ]
        section_rows = []
        sums = [0, 0, 0, 0]
        before = start - dt.timedelta(days=1)
        for index in self._accounts_of(("BANK",)):
            running = self.running[index]
            opening = running.balance(before)
            debit_before, credit_before = running.totals(before)
            debit_end, credit_end = running.totals(end)
            received, spent = debit_end - debit_before, credit_end - credit_before
            figures = [opening, received, spent, running.balance(end)]
            sums = [s + f for s, f in zip(sums, figures)]
            account_id = self.accounts[index]["AccountID"]
            section_rows.append(
                _row(
                    "Row",
                    [_cell(self.accounts[index]["Name"], account_id)] + [_cell(amount(f), account_id) for f in figures],
                )
            )
        section_rows.append(_row("SummaryRow", [_cell("Total")] + [_cell(amount(s)) for s in sums]))
        rows.append(_section("", section_rows))
        name = self.ledger.profile.name
        title = f"From {long_date(start)} to {long_date(end)}"
        return self._wrap("BankSummary", "Bank Summary", ["Bank Summary", name, title], end, rows)

    # ------------------------------------------------------------ aged by contact
    def aged(self, sale: bool, contact_id: str, on: dt.date, start: dt.date | None, end: dt.date | None) -> Record:
        contact = next((c for c in self.ledger.contacts if c["ContactID"].lower() == contact_id.lower()), None)
        if contact is None:
            raise NotFound(f"no contact {contact_id[:100]} in this organisation")
        kind = "ACCREC" if sale else "ACCPAY"
        rows: List[Record] = [
            _header("Date", "Reference", "Due Date", "", "Total", "Paid", "Credited", "Due")
        ]
        section_rows = []
        sums = [0, 0, 0, 0]
        for book in self.open_documents(kind, contact["ContactID"], on, start, end):
            record = book.record
            paid = sum(a for d, k, a in book.applications if d <= on and k == "paid")
            credited = sum(a for d, k, a in book.applications if d <= on and k == "credited")
            figures = [book.total, paid, credited, book.total - paid - credited]
            sums = [s + f for s, f in zip(sums, figures)]
            due_date = book.date + dt.timedelta(days=30)
            invoice_id = record["InvoiceID"]
            section_rows.append(
                _row(
                    "Row",
                    [
                        _cell(f"{book.date.isoformat()}T00:00:00", invoice_id),
                        _cell(record["InvoiceNumber"] or record["Reference"], invoice_id),
                        _cell(f"{due_date.isoformat()}T00:00:00", invoice_id),
                        _cell("Overdue" if due_date < on else "", invoice_id),
                    ]
                    + [_cell(amount(f), invoice_id) for f in figures],
                )
            )
        section_rows.append(
            _row("SummaryRow", [_cell("Total"), _cell(""), _cell(""), _cell("")] + [_cell(amount(s)) for s in sums])
        )
        rows.append(_section("", section_rows))
        name = "Aged Receivables By Contact" if sale else "Aged Payables By Contact"
        report_id = name.replace(" ", "")
        titles = ["Invoices" if sale else "Bills", contact["Name"], f"As at {long_date(on)}"]
        return self._wrap(report_id, name, titles, on, rows)

    def open_documents(
        self, kind: str, contact_id: str | None, on: dt.date, start: dt.date | None = None, end: dt.date | None = None
    ) -> List[Any]:
        """Posted invoices (``kind`` ACCREC) or bills still owing at ``on``, optionally dated within a range."""
        chosen = []
        for book in self.ledger.invoice_books:
            if book.record["Type"] != kind or book.date > on:
                continue
            if contact_id is not None and book.contact["ContactID"] != contact_id:
                continue
            if (start and book.date < start) or (end and book.date > end):
                continue
            if book.due(on) > 0:
                chosen.append(book)
        return chosen
