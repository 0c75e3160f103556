"""The sandbox's built-in accounting data: one distinct organisation per source system.

Records are plain dicts in the JSON shape Xero's accounting API returns (PascalCase keys,
``/Date(ms+0000)/`` dates), which is what xero-python's ``AccountingApi`` deserialises.
Content (names, amounts, dates) is the same on every run; ids come from ``id_random`` so
``--seed`` makes them repeatable too.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Dict, List

from ..sources import Source

Record = Dict[str, Any]

INVOICES_PER_ORGANISATION = 130  # more than one page of Xero's default 100
_EPOCH = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class _Profile:
    name: str
    legal_name: str
    system: str
    country: str
    currency: str
    timezone: str
    vat_rate: str
    vat_name: str
    invoice_prefix: str
    customers: tuple
    suppliers: tuple
    items: tuple


PROFILES: Dict[int, _Profile] = {
    Source.SAGE_DESKTOP_UK: _Profile(
        name="Hartley & Finch Joinery Ltd",
        legal_name="Hartley & Finch Joinery Limited",
        system="Sage 50 (UK)",
        country="GB",
        currency="GBP",
        timezone="GMTSTANDARDTIME",
        vat_rate="20",
        vat_name="VAT",
        invoice_prefix="SI-",
        customers=(
            "Oakridge Builders",
            "Penrose Interiors",
            "Kettlewell Estates",
            "Marsh & Daughters",
            "Bramley Schools Trust",
            "Quayside Lofts",
        ),
        suppliers=("Northern Timber Supplies", "Ashdown Ironmongery", "Fenland Haulage", "Brightside Utilities"),
        items=(
            ("OAK-DOOR", "Oak internal door", "240.00"),
            ("STAIR-FIT", "Staircase fitting (day)", "320.00"),
            ("SASH-WIN", "Sash window refurbishment", "410.00"),
            ("SKIRT-M", "Skirting board (metre)", "12.50"),
        ),
    ),
    Source.QUICKBOOKS_ONLINE: _Profile(
        name="Maple Street Coffee Roasters",
        legal_name="Maple Street Coffee Roasters LLC",
        system="QuickBooks Online",
        country="US",
        currency="USD",
        timezone="EASTERNSTANDARDTIME",
        vat_rate="8.875",
        vat_name="Sales Tax",
        invoice_prefix="",
        customers=(
            "Bluebird Diner",
            "Harbor View Hotel",
            "Cedar Lane Market",
            "Union Station Cafe",
            "Riverside Bakery",
            "Summit Office Park",
        ),
        suppliers=("Andes Green Bean Imports", "Pacific Packaging Co", "Metro Power & Light", "Keystone Freight"),
        items=(
            ("ESP-1LB", "Espresso blend, 1 lb", "14.50"),
            ("DEC-1LB", "Decaf house blend, 1 lb", "13.75"),
            ("COLD-KEG", "Cold brew keg", "95.00"),
            ("GRIND-SVC", "Grinder service call", "120.00"),
        ),
    ),
    Source.SAGE_ACCOUNTING: _Profile(
        name="Fenwick & Hale Design Studio",
        legal_name="Fenwick & Hale Design Studio Limited",
        system="Sage Accounting",
        country="IE",
        currency="EUR",
        timezone="GMTSTANDARDTIME",
        vat_rate="23",
        vat_name="VAT",
        invoice_prefix="FH-",
        customers=(
            "Liffey Tech Ltd",
            "Galway Arts Festival",
            "Cork Harbour Ferries",
            "Kilkenny Crafts",
            "Burren Outdoor Gear",
            "Dun Laoghaire Marina",
        ),
        suppliers=("Dublin Print House", "Emerald Web Hosting", "Atlantic Office Supplies", "ESB Networks"),
        items=(
            ("BRAND-PKG", "Brand identity package", "2400.00"),
            ("WEB-DAY", "Web design (day rate)", "650.00"),
            ("LOGO-REV", "Logo revision", "180.00"),
            ("PRINT-A5", "A5 flyer print run", "95.00"),
        ),
    ),
}


def ms_date(moment: dt.datetime) -> str:
    """Xero's JSON date form, ``/Date(milliseconds+0000)/``."""
    return f"/Date({int(moment.timestamp() * 1000)}+0000)/"


def _money(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@dataclass
class Organisation:
    """One sandbox company: the organisation record and its collections, by Xero resource name."""

    source: int
    tenant_id: str
    record: Record
    collections: Dict[str, List[Record]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.record["Name"]


def build_organisation(source: int, id_random: random.Random) -> Organisation:
    """The built-in organisation of ``source`` with every collection filled in."""
    profile = PROFILES[source]
    content = random.Random(int(source))  # the same figures on every run

    def new_id() -> str:
        return str(uuid.UUID(int=id_random.getrandbits(128), version=4))

    tenant_id = new_id()
    created = _EPOCH - dt.timedelta(days=400)
    organisation = {
        "OrganisationID": tenant_id,
        "Name": profile.name,
        "LegalName": profile.legal_name,
        "PaysTax": True,
        "Version": {"GB": "UK", "US": "US"}.get(profile.country, "GLOBAL"),
        "OrganisationType": "COMPANY",
        "BaseCurrency": profile.currency,
        "CountryCode": profile.country,
        "IsDemoCompany": True,
        "OrganisationStatus": "ACTIVE",
        "FinancialYearEndDay": 31,
        "FinancialYearEndMonth": 12,
        "SalesTaxBasis": "ACCRUALS",
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Exclusive",
        "CreatedDateUTC": ms_date(created),
        "Timezone": profile.timezone,
        "OrganisationEntityType": "COMPANY",
        "ShortCode": f"!{source}",
        "Class": "PREMIUM",
        "Edition": "BUSINESS",
        "LineOfBusiness": profile.system,
        "Addresses": [],
        "Phones": [],
        "ExternalLinks": [],
    }
    org = Organisation(source=source, tenant_id=tenant_id, record=organisation)
    stamp = ms_date(created)

    accounts = [
        {
            "Code": code,
            "Name": name,
            "Type": kind,
            "Status": "ACTIVE",
            "TaxType": tax,
            "Class": cls,
            "EnablePaymentsToAccount": kind == "BANK",
            "ShowInExpenseClaims": False,
            "HasAttachments": False,
            "UpdatedDateUTC": stamp,
            "AccountID": new_id(),
            "CurrencyCode": profile.currency,
        }
        for code, name, kind, tax, cls in (
            ("090", "Business Bank Account", "BANK", "NONE", "ASSET"),
            ("200", "Sales", "REVENUE", "OUTPUT2", "REVENUE"),
            ("260", "Other Revenue", "REVENUE", "OUTPUT2", "REVENUE"),
            ("310", "Cost of Goods Sold", "DIRECTCOSTS", "INPUT2", "EXPENSE"),
            ("429", "General Expenses", "EXPENSE", "INPUT2", "EXPENSE"),
            ("445", "Light, Power, Heating", "OVERHEADS", "INPUT2", "EXPENSE"),
            ("610", "Accounts Receivable", "CURRENT", "NONE", "ASSET"),
            ("800", "Accounts Payable", "CURRLIAB", "NONE", "LIABILITY"),
            ("820", f"{profile.vat_name} payable", "CURRLIAB", "NONE", "LIABILITY"),
            ("970", "Owner's Equity", "EQUITY", "NONE", "EQUITY"),
        )
    ]
    for account in accounts:
        if account["Type"] == "BANK":
            account["BankAccountNumber"] = f"{content.randrange(10**7, 10**8)}"
            account["BankAccountType"] = "BANK"
    bank = accounts[0]

    rate = Decimal(profile.vat_rate)
    tax_rates = [
        {
            "Name": f"{profile.vat_rate}% ({profile.vat_name} on Income)",
            "TaxType": "OUTPUT2",
            "Status": "ACTIVE",
            "ReportTaxType": "OUTPUT",
            "TaxComponents": [
                {"Name": profile.vat_name, "Rate": float(rate), "IsCompound": False, "IsNonRecoverable": False}
            ],
            "CanApplyToRevenue": True,
            "CanApplyToExpenses": False,
            "DisplayTaxRate": float(rate),
            "EffectiveRate": float(rate),
        },
        {
            "Name": f"{profile.vat_rate}% ({profile.vat_name} on Expenses)",
            "TaxType": "INPUT2",
            "Status": "ACTIVE",
            "ReportTaxType": "INPUT",
            "TaxComponents": [
                {"Name": profile.vat_name, "Rate": float(rate), "IsCompound": False, "IsNonRecoverable": False}
            ],
            "CanApplyToRevenue": False,
            "CanApplyToExpenses": True,
            "DisplayTaxRate": float(rate),
            "EffectiveRate": float(rate),
        },
        {
            "Name": f"No {profile.vat_name}",
            "TaxType": "NONE",
            "Status": "ACTIVE",
            "ReportTaxType": "NONE",
            "TaxComponents": [{"Name": profile.vat_name, "Rate": 0.0, "IsCompound": False, "IsNonRecoverable": False}],
            "CanApplyToRevenue": True,
            "CanApplyToExpenses": True,
            "DisplayTaxRate": 0.0,
            "EffectiveRate": 0.0,
        },
    ]

    descriptions = {"GBP": "British Pound", "USD": "United States Dollar", "EUR": "Euro"}
    currencies = [{"Code": profile.currency, "Description": descriptions[profile.currency]}]
    currencies += [{"Code": c, "Description": d} for c, d in descriptions.items() if c != profile.currency][:1]

    contacts = []
    for number, (name, is_customer) in enumerate(
        [(n, True) for n in profile.customers] + [(n, False) for n in profile.suppliers], start=1
    ):
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:16]
        contacts.append(
            {
                "ContactID": new_id(),
                "ContactNumber": f"C{number:04d}",
                "AccountNumber": f"{'CUS' if is_customer else 'SUP'}{number:03d}",
                "ContactStatus": "ACTIVE",
                "Name": name,
                "EmailAddress": f"accounts@{slug}.example",
                "IsCustomer": is_customer,
                "IsSupplier": not is_customer,
                "DefaultCurrency": profile.currency,
                "Addresses": [{"AddressType": "POBOX", "City": "", "Country": profile.country}],
                "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": f"{content.randrange(1000000, 9999999)}"}],
                "HasAttachments": False,
                "UpdatedDateUTC": ms_date(_EPOCH + dt.timedelta(days=number * 7, hours=9)),
            }
        )
    customers = [c for c in contacts if c["IsCustomer"]]
    suppliers = [c for c in contacts if c["IsSupplier"]]

    items = [
        {
            "ItemID": new_id(),
            "Code": code,
            "Name": description,
            "Description": description,
            "IsSold": True,
            "IsPurchased": False,
            "IsTrackedAsInventory": False,
            "SalesDetails": {"UnitPrice": float(Decimal(price)), "AccountCode": "200", "TaxType": "OUTPUT2"},
            "PurchaseDetails": {},
            "UpdatedDateUTC": ms_date(_EPOCH + dt.timedelta(days=3 * index)),
        }
        for index, (code, description, price) in enumerate(profile.items)
    ]

    invoices, payments = [], []
    for index in range(INVOICES_PER_ORGANISATION):
        is_sale = index % 5 != 4
        contact = (customers if is_sale else suppliers)[content.randrange(len(customers if is_sale else suppliers))]
        issued = _EPOCH + dt.timedelta(days=index * 2 + content.randrange(2))
        updated = issued + dt.timedelta(days=content.randrange(0, 20), hours=content.randrange(24))
        lines, sub_total, total_tax = [], Decimal(0), Decimal(0)
        for _ in range(content.randrange(1, 4)):
            if is_sale:
                code, description, price = profile.items[content.randrange(len(profile.items))]
                unit = Decimal(price)
            else:
                code, description, unit = None, "Supplies and services", Decimal(content.randrange(2000, 90000)) / 100
            quantity = Decimal(content.randrange(1, 10))
            amount = unit * quantity
            tax = (amount * rate / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            line = {
                "LineItemID": new_id(),
                "Description": description,
                "Quantity": float(quantity),
                "UnitAmount": _money(unit),
                "AccountCode": "200" if is_sale else "429",
                "TaxType": "OUTPUT2" if is_sale else "INPUT2",
                "TaxAmount": _money(tax),
                "LineAmount": _money(amount),
                "Tracking": [],
            }
            if code:
                line["ItemCode"] = code
            lines.append(line)
            sub_total += amount
            total_tax += tax
        total = sub_total + total_tax
        status = ("PAID", "AUTHORISED", "PAID", "DRAFT", "PAID", "AUTHORISED", "VOIDED")[index % 7]
        paid = total if status == "PAID" else Decimal(0)
        invoice_id = new_id()
        number = f"{profile.invoice_prefix}{1000 + index}" if is_sale else ""
        invoice = {
            "Type": "ACCREC" if is_sale else "ACCPAY",
            "InvoiceID": invoice_id,
            "InvoiceNumber": number,
            "Reference": f"PO-{content.randrange(10000, 99999)}" if is_sale else "",
            "Contact": {"ContactID": contact["ContactID"], "Name": contact["Name"]},
            "Date": ms_date(issued),
            "DueDate": ms_date(issued + dt.timedelta(days=30)),
            "Status": status,
            "LineAmountTypes": "Exclusive",
            "LineItems": lines,
            "SubTotal": _money(sub_total),
            "TotalTax": _money(total_tax),
            "Total": _money(total),
            "AmountDue": _money(total - paid) if status != "VOIDED" else 0.0,
            "AmountPaid": _money(paid),
            "AmountCredited": 0.0,
            "CurrencyCode": profile.currency,
            "CurrencyRate": 1.0,
            "HasAttachments": False,
            "IsDiscounted": False,
            "UpdatedDateUTC": ms_date(updated),
            "Payments": [],
        }
        if status == "PAID":
            paid_on = issued + dt.timedelta(days=content.randrange(3, 28))
            invoice["FullyPaidOnDate"] = ms_date(paid_on)
            payment = {
                "PaymentID": new_id(),
                "Date": ms_date(paid_on),
                "Amount": _money(total),
                "BankAmount": _money(total),
                "CurrencyRate": 1.0,
                "Reference": f"Payment {number or invoice_id[:8]}",
                "IsReconciled": True,
                "Status": "AUTHORISED",
                "PaymentType": "ACCRECPAYMENT" if is_sale else "ACCPAYPAYMENT",
                "UpdatedDateUTC": ms_date(max(paid_on, updated)),
                "HasAccount": True,
                "HasValidationErrors": False,
                "Account": {"AccountID": bank["AccountID"], "Code": bank["Code"]},
                "Invoice": {
                    "InvoiceID": invoice_id,
                    "InvoiceNumber": number,
                    "Type": invoice["Type"],
                    "Contact": invoice["Contact"],
                    "CurrencyCode": profile.currency,
                },
            }
            payments.append(payment)
            invoice["Payments"] = [
                {
                    "PaymentID": payment["PaymentID"],
                    "Date": payment["Date"],
                    "Amount": payment["Amount"],
                    "Reference": payment["Reference"],
                    "CurrencyRate": 1.0,
                    "HasAccount": True,
                    "HasValidationErrors": False,
                }
            ]
        invoices.append(invoice)

    org.collections = {
        "Accounts": accounts,
        "TaxRates": tax_rates,
        "Currencies": currencies,
        "Contacts": contacts,
        "Items": items,
        "Invoices": invoices,
        "Payments": payments,
    }
    return org
