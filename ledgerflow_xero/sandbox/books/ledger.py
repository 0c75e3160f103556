"""Generating one company's double-entry books from its profile, a seed and a scale.

Every document (invoice, bill, credit note, payment, overpayment, prepayment, bank transaction,
transfer, manual journal) is built as Xero's JSON record and, when it posts, as a balanced
:class:`Journal` whose lines carry the account, net and tax amounts and tracking. Money is held
in integer cents (exact, like ``Decimal`` rounded to cents) and only turned into JSON numbers on
the record. The same (profile, seed, scale) always gives the same books.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from bisect import bisect_right
from typing import Any, Dict, List, Tuple

from .profiles import Profile

Record = Dict[str, Any]

START = dt.date(2025, 1, 1)
TODAY = dt.date(2026, 10, 31)  # the books' "today": reports and ageing default to it
_UTC = dt.timezone.utc
_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))  # the version and variant bits of a UUID
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)  # version 4, RFC 4122 variant
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=_UTC)

# Journals that post the same on a cash basis (paymentsOnly=true) as on an accrual basis.
SAME_ON_CASH_BASIS = frozenset(
    {"CASHREC", "CASHPAID", "TRANSFER", "MANJOURNAL", "AROVERPAYMENT", "ARPREPAYMENT", "APOVERPAYMENT", "APPREPAYMENT"}
)


def ms(moment: dt.datetime) -> str:
    """Xero's JSON date form, ``/Date(milliseconds+0000)/``."""
    return f"/Date({(moment - _EPOCH) // dt.timedelta(milliseconds=1)}+0000)/"


def ms_day(day: dt.date) -> str:
    return ms(dt.datetime(day.year, day.month, day.day, tzinfo=_UTC))


def money(cents: int) -> float:
    """Cents as the JSON number Xero sends (exact to two places)."""
    return cents / 100


def tax_on(net: int, rate_milli: int) -> int:
    """Tax in cents on ``net`` cents at ``rate_milli`` thousandths of a percent, rounded half up."""
    if rate_milli == 0:
        return 0
    sign = -1 if net < 0 else 1
    return sign * ((abs(net) * rate_milli + 50_000) // 100_000)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, keeping month-ends at month-ends."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    is_month_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return dt.date(year, month + 1, last if is_month_end else min(day.day, last))


class JournalLine:
    """One line of a posted journal: debit positive ``net``; ``tracking`` holds option indexes."""

    __slots__ = ("account", "net", "tax", "tax_type", "description", "tracking")

    def __init__(
        self,
        account: int,
        net: int,
        tax: int = 0,
        tax_type: str = "NONE",
        description: str = "",
        tracking: Tuple[int, ...] = (),
    ) -> None:
        self.account = account
        self.net = net
        self.tax = tax
        self.tax_type = tax_type
        self.description = description
        self.tracking = tracking


class Journal:
    """A balanced journal one document posted (Xero's ``Journals`` endpoint lists these)."""

    __slots__ = ("number", "id", "date", "created", "reference", "source_id", "source_type", "lines")

    def __init__(
        self,
        date: dt.date,
        created: dt.datetime,
        reference: str,
        source_id: str,
        source_type: str,
        lines: List[JournalLine],
    ) -> None:
        self.number = 0
        self.id = ""
        self.date = date
        self.created = created
        self.reference = reference
        self.source_id = source_id
        self.source_type = source_type
        self.lines: List[JournalLine] = lines


class _Open:
    """Bookkeeping for an invoice or bill while the ledger is generated."""

    __slots__ = ("record", "date", "total", "applications", "contact", "lines")

    def __init__(self, record: Record, date: dt.date, total: int, contact: Record, lines: List[JournalLine]) -> None:
        self.lines = lines  # its journal lines other than the AR/AP control line
        self.record = record
        self.date = date
        self.total = total
        self.contact = contact
        self.applications: List[Tuple[dt.date, str, int]] = []  # (date, "paid"|"credited", cents)

    def due(self, on: dt.date | None = None) -> int:
        return self.total - sum(a for d, _, a in self.applications if on is None or d <= on)


class Ledger:
    """The generated books of one company: JSON records by collection, and the journals."""

    def __init__(self, profile: Profile, seed: int, scale: int) -> None:
        if scale < 1:
            raise ValueError(f"scale must be a whole number from 1, not {scale!r}")
        self.profile = profile
        self.seed = seed
        self.scale = scale
        self.today = TODAY
        self.start = START
        self.rng = random.Random(f"ledgerflow-books:{profile.key}:{seed}:{scale}")
        self.journals: List[Journal] = []
        self.cash_journals: List[Journal] = []  # the same books on a cash basis (paymentsOnly=true)
        self.collections: Dict[str, List[Record]] = {}
        self.invoice_books: List[_Open] = []  # posted ACCREC/ACCPAY documents with their applications
        self.credits: List[Tuple[str, str, dt.date, int, List[Tuple[dt.date, int]]]] = []
        self._factor = 15 if profile.currency == "ZAR" else 1
        self._build()

    # ---------------------------------------------------------------- helpers
    def new_id(self) -> str:
        """A random (version 4) UUID from the books' own generator: ``str(uuid.UUID(int=..., version=4))``,
        written out because it is the single hottest call of a large build."""
        n = (self.rng.getrandbits(128) & _UUID_CLEAR) | _UUID_SET
        h = f"{n:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def _day(self, low: dt.date = START, high: dt.date = TODAY) -> dt.date:
        return low + dt.timedelta(days=self.rng.randrange((high - low).days + 1))

    def _stamp(self, day: dt.date) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, 8, tzinfo=_UTC) + dt.timedelta(
            minutes=self.rng.randrange(10 * 60)
        )

    def _untaxed_bank_transaction(
        self, txn_id: str, kind: str, bank: int, line: Dict[str, Any], reference: str, amount: int, day: Any,
        created: Any, **links: Any,
    ) -> Dict[str, Any]:
        """A reconciled, untaxed bank transaction of one line (money moved for another document:
        an overpayment, a prepayment, one side of a transfer); ``links`` name that document."""
        return {
            "BankTransactionID": txn_id,
            "Type": kind,
            **links,
            "LineItems": [line],
            "BankAccount": self._account_ref(bank),
            "IsReconciled": True,
            "Date": ms_day(day),
            "Reference": reference,
            "CurrencyCode": self.profile.currency,
            "CurrencyRate": 1.0,
            "Status": "AUTHORISED",
            "LineAmountTypes": "NoTax",
            "SubTotal": money(amount),
            "TotalTax": 0.0,
            "Total": money(amount),
            "UpdatedDateUTC": ms(created),
            "HasAttachments": False,
        }

    def _untaxed_line(self, account: int, description: str, amount: int, **ids: str) -> Dict[str, Any]:
        """One untaxed line of ``amount`` against ``account``: the line those bank transactions
        (and an overpayment or prepayment itself) carry; ``ids`` go first (``LineItemID``)."""
        return {
            **ids,
            "Description": description,
            "Quantity": 1.0,
            "UnitAmount": money(amount),
            "AccountCode": self.accounts[account]["Code"],
            "AccountID": self.accounts[account]["AccountID"],
            "TaxType": "NONE",
            "TaxAmount": 0.0,
            "LineAmount": money(amount),
            "Tracking": [],
        }

    def _account_ref(self, index: int) -> Record:
        account = self.accounts[index]
        return {"AccountID": account["AccountID"], "Code": account["Code"], "Name": account["Name"]}

    @staticmethod
    def _contact_ref(contact: Record) -> Record:
        return {"ContactID": contact["ContactID"], "Name": contact["Name"]}

    def _post(
        self, day: dt.date, created: dt.datetime, reference: str, source_id: str, kind: str, lines: List[JournalLine]
    ) -> None:
        if sum(line.net for line in lines) != 0:  # a generator bug, never the caller's input
            raise RuntimeError(f"unbalanced {kind} journal {reference!r}")
        self.journals.append(Journal(day, created, reference, source_id, kind, lines))
        if kind in SAME_ON_CASH_BASIS:
            self.cash_journals.append(Journal(day, created, reference, source_id, kind, lines))

    def _post_cash(
        self, day: dt.date, created: dt.datetime, reference: str, source_id: str, kind: str, lines: List[JournalLine]
    ) -> None:
        """A cash-basis journal: a payment or allocation recognising its documents' lines pro rata."""
        if sum(line.net for line in lines) != 0:
            raise RuntimeError(f"unbalanced cash-basis {kind} journal {reference!r}")
        self.cash_journals.append(Journal(day, created, reference, source_id, kind, lines))

    # ---------------------------------------------------------------- build
    def _build(self) -> None:
        p = self.profile
        self.tenant_id = self.new_id()
        self._build_organisation()
        self._build_accounts()
        self._build_tax_and_tracking()
        self._build_contacts()
        self._opening_balances()
        self._build_invoices()
        self._build_credit_notes()
        self._build_overpayments_and_prepayments()
        self._build_bank_transactions()
        self._build_transfers()
        self._build_depreciation()
        self._finalise_invoices()
        self._number_journals()
        self._build_balances()
        self.collections.update(
            Accounts=self.accounts,
            TaxRates=self.tax_rates,
            TrackingCategories=self.tracking_categories,
            Currencies=[{"Code": p.currency, "Description": p.currency_name}],
            Contacts=self.contacts,
        )

    def _build_organisation(self) -> None:
        p = self.profile
        created = dt.datetime(2024, 12, 1, 10, tzinfo=_UTC)
        self.organisation: Record = {
            "OrganisationID": self.tenant_id,
            "APIKey": "",
            "Name": p.name,
            "LegalName": p.legal_name,
            "PaysTax": True,
            "Version": p.tax.version,
            "OrganisationType": "COMPANY",
            "BaseCurrency": p.currency,
            "CountryCode": p.country,
            "IsDemoCompany": p.key == "demo",
            "OrganisationStatus": "ACTIVE",
            "FinancialYearEndDay": calendar.monthrange(2025, p.year_end_month)[1],
            "FinancialYearEndMonth": p.year_end_month,
            "SalesTaxBasis": "ACCRUALS",
            "SalesTaxPeriod": "QUARTERLY1",
            "DefaultSalesTax": "Tax Exclusive",
            "DefaultPurchasesTax": "Tax Exclusive",
            "CreatedDateUTC": ms(created),
            "Timezone": p.timezone,
            "OrganisationEntityType": "COMPANY",
            "ShortCode": f"!{p.key[:4]}{self.rng.randrange(10, 99)}",
            "Class": "PREMIUM",
            "Edition": "BUSINESS",
            "LineOfBusiness": p.system,
            "Addresses": [{"AddressType": "STREET", "Country": p.country}],
            "Phones": [],
            "ExternalLinks": [],
            "PaymentTerms": {},
        }

    def _build_accounts(self) -> None:
        p = self.profile
        stamp = ms(dt.datetime(2024, 12, 1, 10, tzinfo=_UTC))
        self.accounts: List[Record] = []
        self.role: Dict[str, int] = {}
        sales_tax, purchase_tax = p.tax.sales[0], p.tax.purchases[0]
        for role, (code, name, kind, cls, system) in p.accounts.items():
            if role == "card" and not p.credit_card:
                continue
            tax_type = "NONE"
            if cls == "REVENUE" and role != "other_income":
                tax_type = sales_tax
            elif cls == "EXPENSE" and role not in ("depreciation", "bank_fees"):
                tax_type = purchase_tax
            record: Record = {
                "AccountID": self.new_id(),
                "Code": code,
                "Name": name,
                "Type": kind,
                "Status": "ACTIVE",
                "Description": "",
                "TaxType": tax_type,
                "Class": cls,
                "EnablePaymentsToAccount": False,
                "ShowInExpenseClaims": cls == "EXPENSE",
                "HasAttachments": False,
                "ReportingCode": f"{cls[:3]}",
                "ReportingCodeName": cls.title(),
                "UpdatedDateUTC": stamp,
                "AddToWatchlist": False,
            }
            if system:
                record["SystemAccount"] = system
            if kind == "BANK":
                record["BankAccountNumber"] = str(self.rng.randrange(10**7, 10**8))
                record["BankAccountType"] = "CREDITCARD" if role == "card" else "BANK"
                record["CurrencyCode"] = p.currency
            self.role[role] = len(self.accounts)
            self.accounts.append(record)
        if "tax_in" not in self.role:
            self.role["tax_in"] = self.role["tax"]
        self.account_index = {a["AccountID"]: i for i, a in enumerate(self.accounts)}

    def _build_tax_and_tracking(self) -> None:
        p = self.profile
        rates = [
            (p.tax.sales, p.tax.components, True, False),
            (p.tax.purchases, ((p.tax.tax_name, p.tax.purchases[2]),), False, True),
            (("NONE", f"No {p.tax.tax_name}", 0), ((p.tax.tax_name, 0),), True, True),
        ]
        self.tax_rates: List[Record] = []
        self.tax_rate_of: Dict[str, Tuple[str, int]] = {}
        for (tax_type, name, rate), components, revenue, expenses in rates:
            if tax_type in self.tax_rate_of:
                continue
            self.tax_rate_of[tax_type] = (name, rate)
            report = {"OUTPUT2": "OUTPUT", "INPUT2": "INPUT", "TAX001": "USSALESTAX"}.get(tax_type, tax_type)
            self.tax_rates.append(
                {
                    "Name": name,
                    "TaxType": tax_type,
                    "Status": "ACTIVE",
                    "ReportTaxType": report,
                    "TaxComponents": [
                        {"Name": n, "Rate": r / 1000, "IsCompound": False, "IsNonRecoverable": False}
                        for n, r in components
                    ],
                    "CanApplyToAssets": True,
                    "CanApplyToEquity": True,
                    "CanApplyToExpenses": expenses,
                    "CanApplyToLiabilities": True,
                    "CanApplyToRevenue": revenue,
                    "DisplayTaxRate": rate / 1000,
                    "EffectiveRate": rate / 1000,
                }
            )
        self.tracking_categories: List[Record] = []
        self.options: List[Tuple[int, Record]] = []  # option index -> (category index, option record)
        self.category_options: List[List[int]] = []
        for c_index, (name, option_names) in enumerate(p.tracking):
            category_id = self.new_id()
            options = []
            indexes = []
            for option_name in option_names:
                option = {
                    "TrackingOptionID": self.new_id(),
                    "Name": option_name,
                    "Status": "ACTIVE",
                    "TrackingCategoryID": category_id,
                }
                indexes.append(len(self.options))
                self.options.append((c_index, option))
                options.append(option)
            self.category_options.append(indexes)
            self.tracking_categories.append(
                {"TrackingCategoryID": category_id, "Name": name, "Status": "ACTIVE", "Options": options}
            )

    def _tracking(self) -> Tuple[int, ...]:
        chosen: List[int] = []
        for indexes in self.category_options:
            if self.rng.random() < 0.85:
                chosen.append(indexes[self.rng.randrange(len(indexes))])
        return tuple(chosen)

    def tracking_json(self, tracking: Tuple[int, ...]) -> List[Record]:
        out = []
        for index in tracking:
            c_index, option = self.options[index]
            out.append(
                {
                    "TrackingCategoryID": option["TrackingCategoryID"],
                    "TrackingOptionID": option["TrackingOptionID"],
                    "Name": self.tracking_categories[c_index]["Name"],
                    "Option": option["Name"],
                }
            )
        return out

    def _build_contacts(self) -> None:
        p = self.profile
        self.contacts: List[Record] = []
        words = ("North", "Harbour", "Silver", "Granite", "Willow", "Summit", "Copper", "Meadow", "Lantern", "Orchard")
        kinds = ("Traders", "Holdings", "Partners", "Workshop", "Group", "Services", "Supply", "Studio")

        def names(base: Tuple[str, ...]) -> List[str]:
            out = list(base)
            extra = len(base) * (self.scale - 1)
            for i in range(extra):
                out.append(f"{words[i % len(words)]} {kinds[(i // len(words)) % len(kinds)]} {i // 80 + 1}")
            return out

        number = 0
        for is_customer, group in ((True, names(p.customers)), (False, names(p.suppliers))):
            for position, name in enumerate(group):
                number += 1
                slug = "".join(ch for ch in name.upper() if ch.isalnum())[:6]
                updated = self._stamp(self._day(START, dt.date(2025, 6, 30)))
                archived = not is_customer and position == len(group) - 1  # a supplier no longer used
                self.contacts.append(
                    {
                        "ContactID": self.new_id(),
                        "ContactNumber": p.contact_number_style.format(n=number, slug=slug),
                        "AccountNumber": f"{'C' if is_customer else 'S'}{number:05d}",
                        "ContactStatus": "ARCHIVED" if archived else "ACTIVE",
                        "Name": name,
                        "FirstName": "",
                        "LastName": "",
                        "EmailAddress": f"accounts@{slug.lower() or 'contact'}{number}.example",
                        "BankAccountDetails": "",
                        "TaxNumber": "",
                        "AccountsReceivableTaxType": p.tax.sales[0] if is_customer else "",
                        "AccountsPayableTaxType": "" if is_customer else p.tax.purchases[0],
                        "Addresses": [{"AddressType": "POBOX", "City": "", "Country": p.country}],
                        "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": str(self.rng.randrange(10**6, 10**7))}],
                        "IsSupplier": not is_customer,
                        "IsCustomer": is_customer,
                        "DefaultCurrency": p.currency,
                        "UpdatedDateUTC": ms(updated),
                        "ContactGroups": [],
                        "ContactPersons": [],
                        "HasAttachments": False,
                        "HasValidationErrors": False,
                    }
                )
        self.customers = [c for c in self.contacts if c["IsCustomer"]]
        self.suppliers = [c for c in self.contacts if c["IsSupplier"] and c["ContactStatus"] == "ACTIVE"]

    def _opening_balances(self) -> None:
        p = self.profile
        cash = p.opening_cash
        r = self.role
        lines = [
            (r["bank"], cash),
            (r["savings"], cash // 2),
            (r["fixed"], cash // 2),
            (r["capital"], -cash),
            (r["loan"], -(cash // 4)),
        ]
        lines.append((r["retained"], -sum(amount for _, amount in lines)))
        self._manual_journal(START - dt.timedelta(days=1), "Opening balances brought forward from " + p.system, lines)
        self._manual_journal(
            TODAY, "Year-end accrual (draft, not posted)", [(r["rent"], 50_000), (r["ap"], -50_000)], status="DRAFT"
        )

    def _manual_journal(
        self, day: dt.date, narration: str, lines: List[Tuple[int, int]], status: str = "POSTED"
    ) -> None:
        journal_id = self.new_id()
        created = self._stamp(day)
        self.collections.setdefault("ManualJournals", []).append(
            {
                "ManualJournalID": journal_id,
                "Narration": narration,
                "Date": ms_day(day),
                "LineAmountTypes": "NoTax",
                "Status": status,
                "ShowOnCashBasisReports": True,
                "HasAttachments": False,
                "UpdatedDateUTC": ms(created),
                "JournalLines": [
                    {
                        "LineAmount": money(amount),
                        "AccountCode": self.accounts[account]["Code"],
                        "AccountID": self.accounts[account]["AccountID"],
                        "Description": narration,
                        "TaxType": "NONE",
                        "TaxAmount": 0.0,
                        "Tracking": [],
                        "IsBlank": False,
                    }
                    for account, amount in lines
                ],
            }
        )
        if status == "POSTED":
            posted = [JournalLine(account, amount, description=narration) for account, amount in lines]
            self._post(day, created, narration, journal_id, "MANJOURNAL", posted)

    # ---------------------------------------------------------------- documents with line items
    def _lines(self, sale: bool, count: int) -> Tuple[List[Record], List[JournalLine], int, int]:
        """Line items of a sale or purchase: their JSON, their journal lines (sign of a sale), net, tax."""
        p = self.profile
        tax_type = p.tax.sales[0] if sale else p.tax.purchases[0]
        rate = self.tax_rate_of[tax_type][1]
        items, posted, net_total, tax_total = [], [], 0, 0
        for _ in range(count):
            if sale:
                code, description, unit = p.products[self.rng.randrange(len(p.products))]
                quantity = self.rng.randint(10, 80) if unit < 2000 else self.rng.randint(1, 8)
                account = self.role["sales" if self.rng.random() < 0.7 else "sales2"]
            else:
                code = ""
                role = ("cogs", "cogs", "cogs", "office", "travel", "utilities")[self.rng.randrange(6)]
                description = {
                    "cogs": "Materials and stock",
                    "office": "Office supplies",
                    "travel": "Travel and subsistence",
                    "utilities": "Utilities",
                }[role]
                unit = self.rng.randrange(2_000, self.profile.bill_unit_max) * self._factor
                quantity = self.rng.randint(1, 5)
                account = self.role[role]
            net = unit * quantity
            tax = tax_on(net, rate)
            tracking = self._tracking()
            item: Record = {
                "LineItemID": self.new_id(),
                "Description": description,
                "Quantity": float(quantity),
                "UnitAmount": money(unit),
                "AccountCode": self.accounts[account]["Code"],
                "AccountID": self.accounts[account]["AccountID"],
                "TaxType": tax_type,
                "TaxAmount": money(tax),
                "LineAmount": money(net),
                "Tracking": self.tracking_json(tracking),
            }
            if code:
                item["ItemCode"] = code
            items.append(item)
            sign = -1 if sale else 1
            posted.append(JournalLine(account, sign * net, sign * tax, tax_type, description, tracking))
            net_total += net
            tax_total += tax
        return items, posted, net_total, tax_total

    def _close_tax(self, posted: List[JournalLine], sale: bool, tax_total: int, control: int) -> None:
        """Complete a document's journal: the tax account and the control (AR/AP/bank) lines."""
        sign = -1 if sale else 1
        if tax_total:
            posted.append(JournalLine(self.role["tax" if sale else "tax_in"], sign * tax_total, description="Tax"))
        posted.append(JournalLine(control, -sum(line.net for line in posted)))

    def _build_invoices(self) -> None:
        p = self.profile
        invoices: List[Record] = []
        self.payments: List[Record] = []
        self.linked: List[Record] = []
        plans = [(self._day(), True) for _ in range(p.sales * self.scale)]
        plans += [(self._day(), False) for _ in range(p.bills * self.scale)]
        plans.sort(key=lambda plan: plan[0])
        sale_no, bill_no = 0, 0
        recent_bills: List[Tuple[Record, dt.date]] = []
        for day, sale in plans:
            contact = (self.customers if sale else self.suppliers)[
                self.rng.randrange(len(self.customers if sale else self.suppliers))
            ]
            items, posted, net, tax = self._lines(sale, self.rng.randint(1, 3))
            total = net + tax
            if sale:
                sale_no += 1
                number = p.sales_number.format(n=1000 + sale_no)
            else:
                bill_no += 1
                number = p.bill_number.format(n=bill_no) if p.bill_number else ""
            age = (TODAY - day).days
            roll = self.rng.random()
            if age < 10 and roll < 0.4:
                status = "DRAFT" if roll < 0.25 else "SUBMITTED"
            elif roll < 0.03:
                status = "VOIDED"
            elif roll < 0.05:
                status = "DELETED"
            else:
                status = "AUTHORISED"
            invoice_id = self.new_id()
            created = self._stamp(day)
            record: Record = {
                "Type": "ACCREC" if sale else "ACCPAY",
                "InvoiceID": invoice_id,
                "InvoiceNumber": number,
                "Reference": f"PO-{self.rng.randrange(10000, 99999)}"
                if sale
                else f"Supplier inv {self.rng.randrange(10**5)}",
                "Contact": self._contact_ref(contact),
                "Date": ms_day(day),
                "DateString": f"{day.isoformat()}T00:00:00",
                "DueDate": ms_day(day + dt.timedelta(days=30)),
                "DueDateString": f"{(day + dt.timedelta(days=30)).isoformat()}T00:00:00",
                "Status": status,
                "LineAmountTypes": "Exclusive",
                "LineItems": items,
                "SubTotal": money(net),
                "TotalTax": money(tax),
                "Total": money(total),
                "TotalDiscount": 0.0,
                "CurrencyCode": p.currency,
                "CurrencyRate": 1.0,
                "BrandingThemeID": "",
                "SentToContact": sale and status != "DRAFT",
                "HasAttachments": False,
                "IsDiscounted": False,
                "HasErrors": False,
                "UpdatedDateUTC": ms(created),
                "Payments": [],
                "CreditNotes": [],
                "Prepayments": [],
                "Overpayments": [],
                "AmountDue": money(total) if status in ("DRAFT", "SUBMITTED", "AUTHORISED") else 0.0,
                "AmountPaid": 0.0,
                "AmountCredited": 0.0,
            }
            invoices.append(record)
            if status != "AUTHORISED":
                continue
            self._close_tax(posted, sale, tax, self.role["ar" if sale else "ap"])
            self._post(day, created, number or record["Reference"], invoice_id, record["Type"], posted)
            book = _Open(record, day, total, contact, posted[:-1])
            self.invoice_books.append(book)
            if not sale:
                recent_bills.append((record, day))
            elif recent_bills and self.rng.random() < 0.05:
                self._link(recent_bills.pop(self.rng.randrange(len(recent_bills))), record, contact)
            pay_day = day + dt.timedelta(days=self.rng.randint(5, 60))
            roll = self.rng.random()
            if pay_day <= TODAY and roll < 0.72:
                amount = total if roll < 0.62 else total * self.rng.randint(30, 70) // 100
                self._pay(book, pay_day, amount)
        self.collections["Invoices"] = invoices
        self.collections["Payments"] = self.payments
        self.collections["LinkedTransactions"] = self.linked

    def _link(self, bill: Tuple[Record, dt.date], invoice: Record, customer: Record) -> None:
        record, day = bill
        self.linked.append(
            {
                "LinkedTransactionID": self.new_id(),
                "SourceTransactionID": record["InvoiceID"],
                "SourceLineItemID": record["LineItems"][0]["LineItemID"],
                "ContactID": customer["ContactID"],
                "TargetTransactionID": invoice["InvoiceID"],
                "TargetLineItemID": invoice["LineItems"][0]["LineItemID"],
                "Status": "BILLED",
                "Type": "BILLABLEEXPENSE",
                "UpdatedDateUTC": invoice["UpdatedDateUTC"],
                "SourceTransactionTypeCode": "ACCPAY",
            }
        )

    def _bank_for_payment(self, sale: bool) -> int:
        if not sale and self.profile.credit_card and self.rng.random() < 0.3:
            return self.role["card"]
        return self.role["bank"]

    def _pay(self, book: _Open, day: dt.date, amount: int) -> None:
        record = book.record
        sale = record["Type"] == "ACCREC"
        bank = self._bank_for_payment(sale)
        payment_id = self.new_id()
        created = self._stamp(day)
        reference = f"Payment {record['InvoiceNumber'] or record['Reference']}"
        payment: Record = {
            "PaymentID": payment_id,
            "Date": ms_day(day),
            "Amount": money(amount),
            "BankAmount": money(amount),
            "CurrencyRate": 1.0,
            "Reference": reference,
            "IsReconciled": self.rng.random() < 0.9,
            "Status": "AUTHORISED",
            "PaymentType": "ACCRECPAYMENT" if sale else "ACCPAYPAYMENT",
            "UpdatedDateUTC": ms(created),
            "HasAccount": True,
            "HasValidationErrors": False,
            "Account": self._account_ref(bank),
            "Invoice": {
                "InvoiceID": record["InvoiceID"],
                "InvoiceNumber": record["InvoiceNumber"],
                "Type": record["Type"],
                "Contact": record["Contact"],
                "CurrencyCode": record["CurrencyCode"],
            },
        }
        self.payments.append(payment)
        record["Payments"].append(
            {
                "PaymentID": payment_id,
                "Date": payment["Date"],
                "Amount": money(amount),
                "Reference": reference,
                "CurrencyRate": 1.0,
                "HasAccount": True,
                "HasValidationErrors": False,
            }
        )
        book.applications.append((day, "paid", amount))
        control = self.role["ar" if sale else "ap"]
        sign = 1 if sale else -1
        lines = [JournalLine(bank, sign * amount), JournalLine(control, -sign * amount)]
        self._post(day, created, reference, payment_id, payment["PaymentType"], lines)
        cash = [JournalLine(bank, sign * amount)] + _share(book.lines, amount, book.total)
        self._post_cash(day, created, reference, payment_id, payment["PaymentType"], cash)

    def _pick_open(self, sale: bool) -> _Open | None:
        """A random invoice (or bill) with something still due; settled ones leave the pool."""
        if not hasattr(self, "_open_pool"):
            self._open_pool = {
                flag: [b for b in self.invoice_books if (b.record["Type"] == "ACCREC") == flag and b.due() > 0]
                for flag in (True, False)
            }
        pool = self._open_pool[sale]
        while pool:
            index = self.rng.randrange(len(pool))
            book = pool[index]
            if book.due() > 0:
                return book
            pool[index] = pool[-1]
            pool.pop()
        return None

    def _build_credit_notes(self) -> None:
        p = self.profile
        notes: List[Record] = []
        count = p.credit_notes * self.scale
        plans = []
        for index in range(count):
            sale = index % 4 != 3
            fate = ("allocated", "allocated", "open", "refunded")[self.rng.randrange(4)]
            plans.append((sale, fate))
        number = 0
        for sale, fate in plans:
            target = self._pick_open(sale) if fate == "allocated" else None
            if target is not None:
                day = min(TODAY, target.date + dt.timedelta(days=self.rng.randint(1, 20)))
                contact = target.contact
            else:
                fate = "open" if fate == "allocated" else fate
                day = self._day(dt.date(2025, 2, 1))
                group = self.customers if sale else self.suppliers
                contact = group[self.rng.randrange(len(group))]
            items, posted, net, tax = self._lines(sale, 1)
            if target is not None:
                # shrink the note so its gross fits what is still due on the invoice
                due = target.due()
                rate = self.tax_rate_of[items[0]["TaxType"]][1]
                while net + tax_on(net, rate) > due:
                    net = net * 2 // 3
                tax = tax_on(net, rate)
                items[0].update(Quantity=1.0, UnitAmount=money(net), LineAmount=money(net), TaxAmount=money(tax))
                posted[0].net = -net if sale else net
                posted[0].tax = -tax if sale else tax
            for line in posted:  # a credit note posts the reverse of an invoice
                line.net, line.tax = -line.net, -line.tax
            total = net + tax
            if total == 0:
                continue
            number += 1
            note_id = self.new_id()
            created = self._stamp(day)
            kind = "ACCRECCREDIT" if sale else "ACCPAYCREDIT"
            note_number = p.credit_number.format(n=number) if sale or p.bill_number else ""
            record: Record = {
                "Type": kind,
                "CreditNoteID": note_id,
                "CreditNoteNumber": note_number,
                "Reference": f"Credit for {target.record['InvoiceNumber'] or 'return'}"
                if target
                else "Goodwill credit",
                "Contact": self._contact_ref(contact),
                "Date": ms_day(day),
                "DateString": f"{day.isoformat()}T00:00:00",
                "DueDate": ms_day(day),
                "Status": "AUTHORISED",
                "LineAmountTypes": "Exclusive",
                "LineItems": items,
                "SubTotal": money(net),
                "TotalTax": money(tax),
                "Total": money(total),
                "CurrencyCode": p.currency,
                "CurrencyRate": 1.0,
                "UpdatedDateUTC": ms(created),
                "RemainingCredit": money(total),
                "Allocations": [],
                "Payments": [],
                "HasAttachments": False,
                "HasErrors": False,
                "SentToContact": False,
                "BrandingThemeID": "",
            }
            if tax:  # the reverse of an invoice's tax line
                posted.append(JournalLine(self.role["tax" if sale else "tax_in"], tax if sale else -tax))
            posted.append(JournalLine(self.role["ar" if sale else "ap"], -sum(line.net for line in posted)))
            self._post(day, created, note_number or record["Reference"], note_id, kind, posted)
            applications: List[Tuple[dt.date, int]] = []
            if target is not None:
                self._allocate(record, "CreditNote", target, day, total, applications, posted[:-1])
            elif fate == "refunded" and day + dt.timedelta(days=7) <= TODAY:
                self._refund(record, day + dt.timedelta(days=7), total, sale, applications, posted[:-1])
            self.credits.append((kind, contact["ContactID"], day, total, applications))
            notes.append(record)
        self.collections["CreditNotes"] = notes

    def _allocate(
        self,
        record: Record,
        kind: str,
        target: _Open,
        day: dt.date,
        amount: int,
        applications: List[Tuple[dt.date, int]],
        credit_lines: List[JournalLine] | None = None,
    ) -> None:
        """Allocate ``amount`` of a credit (note, overpayment, prepayment) to an invoice.

        Nothing posts on an accrual basis (both sides sit in receivables or payables); on a cash
        basis the invoice's lines are recognised pro rata against the credit note's lines, or
        against the customer's credit in receivables for an overpayment or prepayment.
        """
        id_key = {"CreditNote": "CreditNoteID", "Overpayment": "OverpaymentID", "Prepayment": "PrepaymentID"}[kind]
        invoice = target.record
        record["Allocations"].append(
            {
                "AllocationID": self.new_id(),
                "Amount": money(amount),
                "Date": ms_day(day),
                "IsDeleted": False,
                "Invoice": {
                    "InvoiceID": invoice["InvoiceID"],
                    "InvoiceNumber": invoice["InvoiceNumber"],
                    "Type": invoice["Type"],
                },
            }
        )
        plural = {"CreditNote": "CreditNotes", "Overpayment": "Overpayments", "Prepayment": "Prepayments"}[kind]
        summary = {
            id_key: record[id_key],
            "Total": record["Total"],
            "AppliedAmount": money(amount),
            "Date": ms_day(day),
        }
        if kind == "CreditNote":
            summary["CreditNoteNumber"] = record["CreditNoteNumber"]
        invoice[plural].append(summary)
        target.applications.append((day, "credited", amount))
        applications.append((day, amount))
        if credit_lines is not None:
            total = round(record["Total"] * 100)
            offset = _share(credit_lines, amount, total)
        else:
            sale = invoice["Type"] == "ACCREC"
            control = self.role["ar" if sale else "ap"]
            offset = [JournalLine(control, amount if sale else -amount, description=f"{kind} allocated")]
        cash = _share(target.lines, amount, target.total) + offset
        noon = dt.datetime(day.year, day.month, day.day, 12, tzinfo=_UTC)
        paid_kind = "ACCRECPAYMENT" if invoice["Type"] == "ACCREC" else "ACCPAYPAYMENT"
        self._post_cash(day, noon, f"{kind} allocation", record[id_key], paid_kind, cash)
        remaining = round(record["RemainingCredit"] * 100) - amount
        record["RemainingCredit"] = money(remaining)
        record["AppliedAmount"] = money(round(record.get("AppliedAmount", 0) * 100) + amount)
        if remaining == 0:
            record["Status"] = "PAID"

    def _refund(
        self,
        record: Record,
        day: dt.date,
        amount: int,
        sale: bool,
        applications: List[Tuple[dt.date, int]],
        credit_lines: List[JournalLine],
    ) -> None:
        bank = self.role["bank"]
        payment_id = self.new_id()
        created = self._stamp(day)
        kind = "ARCREDITPAYMENT" if sale else "APCREDITPAYMENT"
        reference = f"Refund {record['CreditNoteNumber']}"
        self.payments.append(
            {
                "PaymentID": payment_id,
                "Date": ms_day(day),
                "Amount": money(amount),
                "BankAmount": money(amount),
                "CurrencyRate": 1.0,
                "Reference": reference,
                "IsReconciled": True,
                "Status": "AUTHORISED",
                "PaymentType": kind,
                "UpdatedDateUTC": ms(created),
                "HasAccount": True,
                "HasValidationErrors": False,
                "Account": self._account_ref(bank),
                "CreditNote": {
                    "CreditNoteID": record["CreditNoteID"],
                    "CreditNoteNumber": record["CreditNoteNumber"],
                    "Type": record["Type"],
                    "Contact": record["Contact"],
                },
            }
        )
        record["Payments"].append(
            {
                "PaymentID": payment_id,
                "Date": ms_day(day),
                "Amount": money(amount),
                "Reference": reference,
                "CurrencyRate": 1.0,
            }
        )
        record["RemainingCredit"] = 0.0
        record["Status"] = "PAID"
        applications.append((day, amount))
        control = self.role["ar" if sale else "ap"]
        sign = 1 if sale else -1  # a customer refund pays money out and clears the customer's credit
        lines = [JournalLine(control, sign * amount), JournalLine(bank, -sign * amount)]
        self._post(day, created, reference, payment_id, kind, lines)
        cash = [JournalLine(bank, -sign * amount)] + _share(credit_lines, amount, amount)
        self._post_cash(day, created, reference, payment_id, kind, cash)

    def _build_overpayments_and_prepayments(self) -> None:
        p = self.profile
        self.bank_transactions: List[Record] = []
        overpayments: List[Record] = []
        prepayments: List[Record] = []
        supplier_share = max(1, p.overpayments * self.scale // 2), max(1, p.prepayments * self.scale // 2)
        for kind, count, out, sale in (
            ("Overpayment", p.overpayments * self.scale, overpayments, True),
            ("Prepayment", p.prepayments * self.scale, prepayments, True),
            ("Overpayment", supplier_share[0], overpayments, False),  # to suppliers, after the customers'
            ("Prepayment", supplier_share[1], prepayments, False),
        ):
            for _ in range(count):
                target = self._pick_open(sale)
                if target is None:
                    break
                due = target.due()
                if kind == "Overpayment":
                    day = min(TODAY, target.date + dt.timedelta(days=self.rng.randint(3, 30)))
                    amount = due + due * self.rng.randint(5, 30) // 100
                    allocate, on = due * self.rng.randint(40, 100) // 100, day
                else:
                    day = max(START, target.date - dt.timedelta(days=self.rng.randint(5, 40)))
                    amount = due * self.rng.randint(20, 100) // 100
                    allocate, on = (amount if self.rng.random() < 0.7 else 0), target.date
                if amount <= 0:
                    continue
                out.append(self._credit_receipt(kind, target, day, amount, allocate, on, sale))
        self.collections["Overpayments"] = overpayments
        self.collections["Prepayments"] = prepayments

    def _credit_receipt(
        self, kind: str, target: _Open, day: dt.date, amount: int, allocate: int, on: dt.date, sale: bool
    ) -> Record:
        """An overpayment or prepayment: a customer's money in (a credit on their account in
        receivables) or money out to a supplier (a debit on theirs in payables)."""
        id_key = kind + "ID"
        doc_id = self.new_id()
        created = self._stamp(day)
        bank, control = self.role["bank"], self.role["ar" if sale else "ap"]
        contact = self._contact_ref(target.contact)
        line = self._untaxed_line(control, f"{kind} {'received' if sale else 'paid'}", amount,
                                  LineItemID=self.new_id())
        record: Record = {
            "Type": f"{'RECEIVE' if sale else 'SPEND'}-{kind.upper()}",
            id_key: doc_id,
            "Contact": contact,
            "Date": ms_day(day),
            "Status": "AUTHORISED",
            "LineAmountTypes": "NoTax",
            "LineItems": [line],
            "SubTotal": money(amount),
            "TotalTax": 0.0,
            "Total": money(amount),
            "UpdatedDateUTC": ms(created),
            "CurrencyCode": self.profile.currency,
            "CurrencyRate": 1.0,
            "RemainingCredit": money(amount),
            "Allocations": [],
            "Payments": [],
            "HasAttachments": False,
            "Reference": f"{kind} {'from' if sale else 'to'} {contact['Name']}",
        }
        bank_txn_id = self.new_id()
        self.bank_transactions.append(
            self._untaxed_bank_transaction(
                bank_txn_id, record["Type"], bank, line, record["Reference"], amount, day, created,
                **{id_key: doc_id, "Contact": contact},
            )
        )
        sign = 1 if sale else -1
        lines = [
            JournalLine(bank, sign * amount),
            JournalLine(control, -sign * amount, description=line["Description"]),
        ]
        self._post(day, created, record["Reference"], doc_id, ("AR" if sale else "AP") + kind.upper(), lines)
        applications: List[Tuple[dt.date, int]] = []
        if allocate > 0:
            self._allocate(record, kind, target, on, allocate, applications)
        self.credits.append((record["Type"], target.contact["ContactID"], day, amount, applications))
        return record

    def _build_bank_transactions(self) -> None:
        p = self.profile
        r = self.role
        for _ in range(p.bank_transactions * self.scale):
            day = self._day()
            spend = self.rng.random() < 0.75
            if spend:
                role = ("rent", "utilities", "bank_fees", "office", "travel")[self.rng.randrange(5)]
                contact = self.suppliers[self.rng.randrange(len(self.suppliers))]
                bank = self._bank_for_payment(False)
                tax_type = "NONE" if role == "bank_fees" else p.tax.purchases[0]
                unit = self.rng.randrange(1_000, 150_000) * self._factor
            else:
                role = "other_income" if self.rng.random() < 0.5 else "sales2"
                contact = self.customers[self.rng.randrange(len(self.customers))]
                bank = r["bank"] if self.rng.random() < 0.7 else r["savings"]
                tax_type = "NONE" if role == "other_income" else p.tax.sales[0]
                unit = self.rng.randrange(500, 60_000) * self._factor
            account = r[role]
            rate = self.tax_rate_of[tax_type][1]
            tax = tax_on(unit, rate)
            tracking = self._tracking() if role != "bank_fees" else ()
            description = self.accounts[account]["Name"]
            status = "DELETED" if self.rng.random() < 0.02 else "AUTHORISED"
            txn_id = self.new_id()
            created = self._stamp(day)
            kind = "SPEND" if spend else "RECEIVE"
            record: Record = {
                "BankTransactionID": txn_id,
                "Type": kind,
                "Contact": self._contact_ref(contact),
                "LineItems": [
                    {
                        "LineItemID": self.new_id(),
                        "Description": description,
                        "Quantity": 1.0,
                        "UnitAmount": money(unit),
                        "AccountCode": self.accounts[account]["Code"],
                        "AccountID": self.accounts[account]["AccountID"],
                        "TaxType": tax_type,
                        "TaxAmount": money(tax),
                        "LineAmount": money(unit),
                        "Tracking": self.tracking_json(tracking),
                    }
                ],
                "BankAccount": self._account_ref(bank),
                "IsReconciled": self.rng.random() < 0.8,
                "Date": ms_day(day),
                "Reference": f"{kind.title()} {self.rng.randrange(10**4, 10**5)}",
                "CurrencyCode": p.currency,
                "CurrencyRate": 1.0,
                "Status": status,
                "LineAmountTypes": "Exclusive",
                "SubTotal": money(unit),
                "TotalTax": money(tax),
                "Total": money(unit + tax),
                "UpdatedDateUTC": ms(created),
                "HasAttachments": False,
            }
            self.bank_transactions.append(record)
            if status != "AUTHORISED":
                continue
            sign = 1 if spend else -1
            posted = [JournalLine(account, sign * unit, sign * tax, tax_type, description, tracking)]
            self._close_tax(posted, not spend, tax, bank)
            self._post(day, created, record["Reference"], txn_id, "CASHPAID" if spend else "CASHREC", posted)

    def _build_transfers(self) -> None:
        r = self.role
        transfers: List[Record] = []
        month = START
        pairs = [("bank", "savings", 50_000, 400_000)]
        if self.profile.credit_card:
            pairs.append(("bank", "card", 400_000, 800_000))  # paying off the card each month
        while month <= TODAY:
            for source, target, low, high in pairs:
                day = min(TODAY, month.replace(day=25))
                amount = self.rng.randrange(low, high) * self._factor
                transfers.append(self._transfer(r[source], r[target], day, amount))
            month = add_months(month, 1)
        self.collections["BankTransfers"] = transfers
        self.collections["BankTransactions"] = sorted(self.bank_transactions, key=lambda b: b["Date"][6:-7].zfill(15))

    def _transfer(self, source: int, target: int, day: dt.date, amount: int) -> Record:
        transfer_id = self.new_id()
        created = self._stamp(day)
        ids = (self.new_id(), self.new_id())
        reference = f"Transfer {day.strftime('%b %Y')}"
        for txn_id, kind, bank, other in (
            (ids[0], "SPEND-TRANSFER", source, target),
            (ids[1], "RECEIVE-TRANSFER", target, source),
        ):
            line = self._untaxed_line(other, reference, amount)
            self.bank_transactions.append(
                self._untaxed_bank_transaction(txn_id, kind, bank, line, reference, amount, day, created)
            )
        lines = [
            JournalLine(target, amount, description=reference),
            JournalLine(source, -amount, description=reference),
        ]
        self._post(day, created, reference, transfer_id, "TRANSFER", lines)
        return {
            "BankTransferID": transfer_id,
            "FromBankAccount": self._account_ref(source),
            "ToBankAccount": self._account_ref(target),
            "Amount": money(amount),
            "Date": ms_day(day),
            "CurrencyRate": 1.0,
            "FromBankTransactionID": ids[0],
            "ToBankTransactionID": ids[1],
            "FromIsReconciled": True,
            "ToIsReconciled": True,
            "Reference": reference,
            "HasAttachments": False,
            "CreatedDateUTC": ms(created),
            "UpdatedDateUTC": ms(created),
        }

    def _build_depreciation(self) -> None:
        r = self.role
        monthly = self.profile.opening_cash // 2 // 60
        month_end = add_months(START, 1) - dt.timedelta(days=1)
        while month_end <= TODAY:
            self._manual_journal(
                month_end,
                f"Depreciation {month_end.strftime('%B %Y')}",
                [(r["depreciation"], monthly), (r["accdep"], -monthly)],
            )
            month_end = add_months(month_end + dt.timedelta(days=1), 1) - dt.timedelta(days=1)

    def _finalise_invoices(self) -> None:
        for book in self.invoice_books:
            record = book.record
            paid = sum(a for _, kind, a in book.applications if kind == "paid")
            credited = sum(a for _, kind, a in book.applications if kind == "credited")
            record["AmountPaid"] = money(paid)
            record["AmountCredited"] = money(credited)
            record["AmountDue"] = money(book.total - paid - credited)
            if book.applications:
                last = max(d for d, _, _ in book.applications)
                record["UpdatedDateUTC"] = ms(self._stamp(last))
                if paid + credited == book.total:
                    record["Status"] = "PAID"
                    record["FullyPaidOnDate"] = ms_day(last)
        self._contact_balances()

    def _contact_balances(self) -> None:
        """Each contact's ``Balances``: what its open invoices and bills still owe today, and how much is overdue."""
        owed: Dict[Tuple[str, str], List[int]] = {}
        for book in self.invoice_books:
            due = book.due()
            if due <= 0:
                continue
            side = "AccountsReceivable" if book.record["Type"] == "ACCREC" else "AccountsPayable"
            totals = owed.setdefault((book.contact["ContactID"], side), [0, 0])
            totals[0] += due
            if book.date + dt.timedelta(days=30) < TODAY:
                totals[1] += due
        for contact in self.contacts:
            contact["Balances"] = {
                side: {"Outstanding": money(totals[0]), "Overdue": money(totals[1])}
                for side in ("AccountsReceivable", "AccountsPayable")
                for totals in [owed.get((contact["ContactID"], side), [0, 0])]
            }

    def _number_journals(self) -> None:
        for journals in (self.journals, self.cash_journals):
            journals.sort(key=lambda j: (j.date, j.created))
            for number, journal in enumerate(journals, start=1):
                journal.number = number
                journal.id = self.new_id()
        self.journal_by_number = {j.number: j for j in self.journals}

    # ---------------------------------------------------------------- balances
    def _build_balances(self) -> None:
        """Per account (and per account and tracking option): dates and running debit/credit sums."""
        self.running, self.running_by_option = self._running(self.journals)
        self.running_cash, self.running_cash_by_option = self._running(self.cash_journals)

    def _running(self, journals: List[Journal]) -> Tuple[List[_Running], Dict[Tuple[int, int], _Running]]:
        per_account: List[List[Tuple[int, int]]] = [[] for _ in self.accounts]
        per_option: Dict[Tuple[int, int], List[Tuple[int, int]]] = {}
        for journal in journals:
            day = journal.date.toordinal()
            for line in journal.lines:
                per_account[line.account].append((day, line.net))
                for option in line.tracking:
                    per_option.setdefault((line.account, option), []).append((day, line.net))
        return [_Running(e) for e in per_account], {key: _Running(e) for key, e in per_option.items()}


def _scaled(value: int, part: int, whole: int) -> int:
    """``value * part / whole`` in cents, rounded half away from zero."""
    sign = -1 if value < 0 else 1
    return sign * ((abs(value) * part * 2 + whole) // (2 * whole))


def _share(lines: List[JournalLine], part: int, whole: int) -> List[JournalLine]:
    """The ``part / whole`` share of a document's lines; rounding lands on the largest line so the
    share adds up to exactly ``part`` (with the lines' sign)."""
    out = [
        JournalLine(
            line.account,
            _scaled(line.net, part, whole),
            _scaled(line.tax, part, whole),
            line.tax_type,
            line.description,
            line.tracking,
        )
        for line in lines
    ]
    target = _scaled(sum(line.net for line in lines), part, whole)
    difference = target - sum(line.net for line in out)
    if difference:
        max(out, key=lambda line: abs(line.net)).net += difference
    return out


class _Running:
    """Running debit and credit totals of one account by date, for O(log n) balances at any date."""

    __slots__ = ("days", "debits", "credits")

    def __init__(self, entries: List[Tuple[int, int]]) -> None:
        entries.sort(key=lambda e: e[0])
        self.days: List[int] = []
        self.debits: List[int] = []
        self.credits: List[int] = []
        debit = credit = 0
        for day, net in entries:
            if net >= 0:
                debit += net
            else:
                credit -= net
            if self.days and self.days[-1] == day:
                self.debits[-1], self.credits[-1] = debit, credit
            else:
                self.days.append(day)
                self.debits.append(debit)
                self.credits.append(credit)

    def totals(self, on: dt.date) -> Tuple[int, int]:
        """(debits, credits) posted on or before ``on``."""
        index = bisect_right(self.days, on.toordinal())
        return (self.debits[index - 1], self.credits[index - 1]) if index else (0, 0)

    def balance(self, on: dt.date) -> int:
        debit, credit = self.totals(on)
        return debit - credit
