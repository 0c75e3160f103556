"""Who each sandbox company is: name, currency, tax regime, chart of accounts, size, quirks.

One profile per Ledgerflow source (1001 Sage Desktop UK, 1004 QuickBooks Online, 1009 Sage
Accounting) and one for the vendor spec's ``demo`` tenant. The quirks are the ones Ledgerflow
passes through from the source system: Sage 50's four-digit nominal codes and separate sales
and purchase VAT control accounts, QuickBooks Online's empty account codes, a two-component
US sales tax and a credit card "bank" account, Sage Accounting's ``1000/000`` codes and a
February year end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

# role -> (code, name, Xero Type, Class, SystemAccount or None)
AccountPlan = Dict[str, Tuple[str, str, str, str, Optional[str]]]


@dataclass(frozen=True)
class TaxRegime:
    """The tax rates a company uses: (TaxType, display name, rate in thousandths of a percent)."""

    sales: Tuple[str, str, int]
    purchases: Tuple[str, str, int]
    components: Tuple[Tuple[str, int], ...]  # the sales rate's components (name, thousandths of a percent)
    tax_name: str
    version: str


@dataclass(frozen=True)
class Profile:
    """Everything that makes one sandbox company different from another."""

    key: str
    name: str
    legal_name: str
    system: str
    country: str
    currency: str
    currency_name: str
    timezone: str
    year_end_month: int  # the financial year ends on the last day of this month
    tax: TaxRegime
    accounts: AccountPlan
    sales_number: str  # format of an invoice number, given a running integer
    bill_number: str
    credit_number: str
    customers: Tuple[str, ...]
    suppliers: Tuple[str, ...]
    products: Tuple[Tuple[str, str, int], ...]  # (item code, description, unit price in cents)
    tracking: Tuple[Tuple[str, Tuple[str, ...]], ...]
    # volume at scale 1 (documents over the ledger's 22 months)
    sales: int
    bills: int
    bank_transactions: int
    credit_notes: int
    overpayments: int
    prepayments: int
    opening_cash: int  # cents
    credit_card: bool = False
    bill_unit_max: int = 90_000  # cents: the dearest unit price on a supplier's bill
    contact_number_style: str = "C{n:04d}"


def _plan(rows: Tuple[Tuple[str, str, str, str, str, str | None], ...]) -> AccountPlan:
    return {role: (code, name, kind, cls, system) for role, code, name, kind, cls, system in rows}


SAGE_DESKTOP_UK = Profile(
    key="1001",
    name="Hartley & Finch Joinery Ltd",
    legal_name="Hartley & Finch Joinery Limited",
    system="Sage 50 Accounts (UK)",
    country="GB",
    currency="GBP",
    currency_name="British Pound",
    timezone="GMTSTANDARDTIME",
    year_end_month=12,
    tax=TaxRegime(
        sales=("OUTPUT2", "20% (VAT on Income)", 20000),
        purchases=("INPUT2", "20% (VAT on Expenses)", 20000),
        components=(("VAT", 20000),),
        tax_name="VAT",
        version="UK",
    ),
    accounts=_plan(
        (
            ("bank", "1200", "Bank Current Account", "BANK", "ASSET", None),
            ("savings", "1210", "Bank Deposit Account", "BANK", "ASSET", None),
            ("ar", "1100", "Debtors Control Account", "CURRENT", "ASSET", "DEBTORS"),
            ("fixed", "0030", "Office Equipment", "FIXED", "ASSET", None),
            ("accdep", "0031", "Office Equipment Depreciation", "FIXED", "ASSET", None),
            ("ap", "2100", "Creditors Control Account", "CURRLIAB", "LIABILITY", "CREDITORS"),
            ("tax", "2200", "Sales Tax Control Account", "CURRLIAB", "LIABILITY", "GST"),
            ("tax_in", "2201", "Purchase Tax Control Account", "CURRLIAB", "LIABILITY", None),
            ("loan", "2300", "Loans", "TERMLIAB", "LIABILITY", None),
            ("capital", "3000", "Capital", "EQUITY", "EQUITY", None),
            ("retained", "3200", "Profit and Loss", "EQUITY", "EQUITY", "RETAINEDEARNINGS"),
            ("sales", "4000", "Sales Type A", "REVENUE", "REVENUE", None),
            ("sales2", "4010", "Sales Type B", "REVENUE", "REVENUE", None),
            ("other_income", "4900", "Miscellaneous Income", "OTHERINCOME", "REVENUE", None),
            ("cogs", "5000", "Materials Purchased", "DIRECTCOSTS", "EXPENSE", None),
            ("rent", "7100", "Rent", "OVERHEADS", "EXPENSE", None),
            ("utilities", "7200", "Electricity", "OVERHEADS", "EXPENSE", None),
            ("bank_fees", "7900", "Bank charges and interest", "EXPENSE", "EXPENSE", None),
            ("office", "7500", "Office Stationery", "EXPENSE", "EXPENSE", None),
            ("travel", "7400", "Travelling", "EXPENSE", "EXPENSE", None),
            ("depreciation", "8000", "Depreciation", "DEPRECIATN", "EXPENSE", None),
        )
    ),
    sales_number="{n}",
    bill_number="PI{n}",
    credit_number="SC{n}",
    customers=(
        "Oakridge Builders",
        "Penrose Interiors",
        "Kettlewell Estates",
        "Marsh & Daughters",
        "Bramley Schools Trust",
        "Quayside Lofts",
        "Harrogate Homes",
        "Wensley Property Group",
        "Cotswold Barns",
        "Ribble Valley Cottages",
        "Aire & Calder Developments",
        "Nidd Gorge Lodges",
    ),
    suppliers=(
        "Northern Timber Supplies",
        "Ashdown Ironmongery",
        "Fenland Haulage",
        "Brightside Utilities",
        "Pennine Glass",
        "York Tool Hire",
    ),
    products=(
        ("OAK-DOOR", "Oak internal door", 24000),
        ("STAIR-FIT", "Staircase fitting (day)", 32000),
        ("SASH-WIN", "Sash window refurbishment", 41000),
        ("SKIRT-M", "Skirting board (metre)", 1250),
    ),
    tracking=(("Department", ("Joinery", "Installation", "Restoration")),),
    sales=240,
    bills=130,
    bank_transactions=150,
    credit_notes=12,
    overpayments=4,
    prepayments=4,
    opening_cash=2_500_000,
    contact_number_style="{slug}{n:02d}",
)

QUICKBOOKS_ONLINE = Profile(
    key="1004",
    name="Maple Street Coffee Roasters",
    legal_name="Maple Street Coffee Roasters LLC",
    system="QuickBooks Online",
    country="US",
    currency="USD",
    currency_name="United States Dollar",
    timezone="EASTERNSTANDARDTIME",
    year_end_month=12,
    tax=TaxRegime(
        sales=("TAX001", "NY State & NYC Sales Tax", 8875),
        purchases=("NONE", "Tax Exempt", 0),
        components=(("NY State", 4000), ("NYC", 4875)),
        tax_name="Sales Tax",
        version="US",
    ),
    accounts=_plan(
        (
            ("bank", "", "Checking", "BANK", "ASSET", None),
            ("savings", "", "Savings", "BANK", "ASSET", None),
            ("card", "", "Visa Credit Card", "BANK", "ASSET", None),
            ("ar", "", "Accounts Receivable (A/R)", "CURRENT", "ASSET", "DEBTORS"),
            ("fixed", "", "Roasting Equipment", "FIXED", "ASSET", None),
            ("accdep", "", "Accumulated Depreciation", "FIXED", "ASSET", None),
            ("ap", "", "Accounts Payable (A/P)", "CURRLIAB", "LIABILITY", "CREDITORS"),
            ("tax", "", "Sales Tax Payable", "CURRLIAB", "LIABILITY", "GST"),
            ("loan", "", "Notes Payable", "TERMLIAB", "LIABILITY", None),
            ("capital", "", "Owner's Investment", "EQUITY", "EQUITY", None),
            ("retained", "", "Retained Earnings", "EQUITY", "EQUITY", "RETAINEDEARNINGS"),
            ("sales", "", "Sales of Product Income", "REVENUE", "REVENUE", None),
            ("sales2", "", "Services", "REVENUE", "REVENUE", None),
            ("other_income", "", "Interest Earned", "OTHERINCOME", "REVENUE", None),
            ("cogs", "", "Cost of Goods Sold", "DIRECTCOSTS", "EXPENSE", None),
            ("rent", "", "Rent or Lease", "OVERHEADS", "EXPENSE", None),
            ("utilities", "", "Utilities", "OVERHEADS", "EXPENSE", None),
            ("bank_fees", "", "Bank Charges", "EXPENSE", "EXPENSE", None),
            ("office", "", "Office Expenses", "EXPENSE", "EXPENSE", None),
            ("travel", "", "Travel", "EXPENSE", "EXPENSE", None),
            ("depreciation", "", "Depreciation", "DEPRECIATN", "EXPENSE", None),
        )
    ),
    sales_number="{n}",
    bill_number="",
    credit_number="CM{n}",
    customers=(
        "Bluebird Diner",
        "Harbor View Hotel",
        "Cedar Lane Market",
        "Union Station Cafe",
        "Riverside Bakery",
        "Summit Office Park",
        "Flatiron Books & Brew",
        "Greenpoint Deli",
        "Astoria Bagel Co",
        "Red Hook Roastery Bar",
        "Park Slope Co-op",
        "Hudson Yards Lobby Cafe",
        "Gowanus Climbing Gym",
        "Williamsburg Vinyl Cafe",
    ),
    suppliers=(
        "Andes Green Bean Imports",
        "Pacific Packaging Co",
        "Metro Power & Light",
        "Keystone Freight",
        "Empire Dairy",
        "Brooklyn Cup Supply",
    ),
    products=(
        ("ESP-1LB", "Espresso blend, 1 lb", 1450),
        ("DEC-1LB", "Decaf house blend, 1 lb", 1375),
        ("COLD-KEG", "Cold brew keg", 9500),
        ("GRIND-SVC", "Grinder service call", 12000),
    ),
    tracking=(("Class", ("Wholesale", "Retail", "Online")), ("Location", ("Brooklyn", "Queens"))),
    sales=700,
    bills=300,
    bank_transactions=400,
    credit_notes=30,
    overpayments=8,
    prepayments=8,
    opening_cash=6_000_000,
    credit_card=True,
    bill_unit_max=30_000,
    contact_number_style="{n}",
)

SAGE_ACCOUNTING = Profile(
    key="1009",
    name="Fynbos Digital Studio (Pty) Ltd",
    legal_name="Fynbos Digital Studio Proprietary Limited",
    system="Sage Business Cloud Accounting",
    country="ZA",
    currency="ZAR",
    currency_name="South African Rand",
    timezone="SOUTHAFRICASTANDARDTIME",
    year_end_month=2,
    tax=TaxRegime(
        sales=("OUTPUT", "Standard Rate (15%)", 15000),
        purchases=("INPUT", "Standard Rate Purchases (15%)", 15000),
        components=(("VAT", 15000),),
        tax_name="VAT",
        version="GLOBAL",
    ),
    accounts=_plan(
        (
            ("bank", "8400/000", "Standard Bank Current", "BANK", "ASSET", None),
            ("savings", "8410/000", "Standard Bank Call Account", "BANK", "ASSET", None),
            ("ar", "6200/000", "Trade Receivables", "CURRENT", "ASSET", "DEBTORS"),
            ("fixed", "6100/000", "Computer Equipment - Cost", "FIXED", "ASSET", None),
            ("accdep", "6100/010", "Computer Equipment - Accumulated Depreciation", "FIXED", "ASSET", None),
            ("ap", "9000/000", "Trade Payables", "CURRLIAB", "LIABILITY", "CREDITORS"),
            ("tax", "9500/000", "VAT Control", "CURRLIAB", "LIABILITY", "GST"),
            ("loan", "9300/000", "Loan from Shareholder", "TERMLIAB", "LIABILITY", None),
            ("capital", "5000/000", "Share Capital", "EQUITY", "EQUITY", None),
            ("retained", "5200/000", "Retained Income", "EQUITY", "EQUITY", "RETAINEDEARNINGS"),
            ("sales", "1000/000", "Sales", "REVENUE", "REVENUE", None),
            ("sales2", "1000/010", "Consulting Fees", "REVENUE", "REVENUE", None),
            ("other_income", "2650/000", "Interest Received", "OTHERINCOME", "REVENUE", None),
            ("cogs", "2000/000", "Cost of Sales", "DIRECTCOSTS", "EXPENSE", None),
            ("rent", "4200/000", "Rent Paid", "OVERHEADS", "EXPENSE", None),
            ("utilities", "4300/000", "Electricity & Water", "OVERHEADS", "EXPENSE", None),
            ("bank_fees", "3150/000", "Bank Charges", "EXPENSE", "EXPENSE", None),
            ("office", "4250/000", "Stationery", "EXPENSE", "EXPENSE", None),
            ("travel", "4700/000", "Travel - Local", "EXPENSE", "EXPENSE", None),
            ("depreciation", "3850/000", "Depreciation", "DEPRECIATN", "EXPENSE", None),
        )
    ),
    sales_number="SI-{n:05d}",
    bill_number="PI-{n:05d}",
    credit_number="CN-{n:05d}",
    customers=(
        "Table Bay Tours",
        "Karoo Wines",
        "Stellenbosch Cellars",
        "Durban Surf Co",
        "Joburg Maker Space",
        "Garden Route Lodges",
        "Kirstenbosch Events",
    ),
    suppliers=("Afrihost Web Services", "Cape Print Works", "City of Cape Town", "Takealot Business"),
    products=(
        ("BRAND-PKG", "Brand identity package", 2400000),
        ("WEB-DAY", "Web design (day rate)", 850000),
        ("LOGO-REV", "Logo revision", 180000),
        ("PRINT-A5", "A5 flyer print run", 95000),
    ),
    tracking=(("Project", ("Retainers", "Web builds", "Print")),),
    sales=110,
    bills=70,
    bank_transactions=90,
    credit_notes=6,
    overpayments=2,
    prepayments=3,
    opening_cash=45_000_000,
    contact_number_style="CUS{n:03d}",
)

DEMO = Profile(
    key="demo",
    name="Ledgerscope Demo Company (AU)",
    legal_name="Ledgerscope Demo Company Pty Ltd",
    system="Ledgerscope sample dataset",
    country="AU",
    currency="AUD",
    currency_name="Australian Dollar",
    timezone="AUSEASTERNSTANDARDTIME",
    year_end_month=6,
    tax=TaxRegime(
        sales=("OUTPUT", "GST on Income", 10000),
        purchases=("INPUT", "GST on Expenses", 10000),
        components=(("GST", 10000),),
        tax_name="GST",
        version="AU",
    ),
    accounts=_plan(
        (
            ("bank", "090", "Business Bank Account", "BANK", "ASSET", None),
            ("savings", "091", "Business Savings Account", "BANK", "ASSET", None),
            ("ar", "610", "Accounts Receivable", "CURRENT", "ASSET", "DEBTORS"),
            ("fixed", "710", "Office Equipment", "FIXED", "ASSET", None),
            ("accdep", "711", "Less Accumulated Depreciation on Office Equipment", "FIXED", "ASSET", None),
            ("ap", "800", "Accounts Payable", "CURRLIAB", "LIABILITY", "CREDITORS"),
            ("tax", "820", "GST", "CURRLIAB", "LIABILITY", "GST"),
            ("loan", "900", "Loan", "TERMLIAB", "LIABILITY", None),
            ("capital", "970", "Owner A Funds Introduced", "EQUITY", "EQUITY", None),
            ("retained", "960", "Retained Earnings", "EQUITY", "EQUITY", "RETAINEDEARNINGS"),
            ("sales", "200", "Sales", "REVENUE", "REVENUE", None),
            ("sales2", "260", "Other Revenue", "REVENUE", "REVENUE", None),
            ("other_income", "270", "Interest Income", "OTHERINCOME", "REVENUE", None),
            ("cogs", "310", "Cost of Goods Sold", "DIRECTCOSTS", "EXPENSE", None),
            ("rent", "469", "Rent", "OVERHEADS", "EXPENSE", None),
            ("utilities", "445", "Light, Power, Heating", "OVERHEADS", "EXPENSE", None),
            ("bank_fees", "404", "Bank Fees", "EXPENSE", "EXPENSE", None),
            ("office", "461", "Printing & Stationery", "EXPENSE", "EXPENSE", None),
            ("travel", "493", "Travel - National", "EXPENSE", "EXPENSE", None),
            ("depreciation", "416", "Depreciation", "DEPRECIATN", "EXPENSE", None),
        )
    ),
    sales_number="INV-{n:04d}",
    bill_number="",
    credit_number="CN-{n:04d}",
    customers=("Basket Case", "Bayside Club", "Boom FM", "City Agency", "Marine Systems", "Ridgeway University"),
    suppliers=("ABC Furniture", "Capital Cab Co", "PowerDirect", "SMART Agency"),
    products=(
        ("DevD", "Development work - developer onsite per day", 50000),
        ("DevN", "Development work - off site per hour", 7500),
        ("Train", "Training - per person", 20000),
    ),
    tracking=(("Region", ("North", "South", "Eastside", "West Coast")),),
    sales=150,
    bills=80,
    bank_transactions=100,
    credit_notes=8,
    overpayments=2,
    prepayments=2,
    opening_cash=5_000_000,
)

PROFILES: Dict[int, Profile] = {1001: SAGE_DESKTOP_UK, 1004: QUICKBOOKS_ONLINE, 1009: SAGE_ACCOUNTING}
