"""Every served operation's answer from the books engine validates against the Ledgerscope spec
(Xero's accounting spec 16.1.0 with the vendor's delta applied), per source.

The spec's own defects are worked around in one place for every test that validates answers:
``tests/sandbox/ledgerscope_spec.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Tuple

import jsonschema
import pytest

from ledgerflow_xero.sandbox.books import OPERATIONS, Books

from ..ledgerscope_spec import ledgerscope_spec
from .conftest import SOURCES, books_for


def served_calls(books: Books) -> List[Tuple[str, Dict[str, str], Dict[str, str]]]:
    """(operationId, path params, query) for each of the 38 served operations, with real ids."""
    c = books.collections
    invoice = next(r for r in c["Invoices"] if r["Status"] == "PAID")
    customer = (
        invoice["Contact"]["ContactID"] if invoice["Type"] == "ACCREC" else books.ledger.customers[0]["ContactID"]
    )
    supplier = books.ledger.suppliers[0]["ContactID"]
    category = c["TrackingCategories"][0]["TrackingCategoryID"]
    journal = books.answer("getJournals", {}, {}, {})[1]["Journals"][0]
    return [
        ("getOrganisations", {}, {}),
        ("getAccounts", {}, {}),
        ("getAccount", {"AccountID": c["Accounts"][0]["AccountID"]}, {}),
        ("getContacts", {}, {"page": "1"}),
        ("getContact", {"ContactID": customer}, {}),
        ("getContactByContactNumber", {"ContactNumber": c["Contacts"][0]["ContactNumber"]}, {}),
        ("getInvoices", {}, {"page": "1"}),
        ("getInvoice", {"InvoiceID": invoice["InvoiceID"]}, {}),
        ("getCreditNotes", {}, {}),
        ("getCreditNote", {"CreditNoteID": c["CreditNotes"][0]["CreditNoteID"]}, {}),
        ("getPayments", {}, {"page": "1"}),
        ("getPayment", {"PaymentID": c["Payments"][0]["PaymentID"]}, {}),
        ("getOverpayments", {}, {}),
        ("getOverpayment", {"OverpaymentID": c["Overpayments"][0]["OverpaymentID"]}, {}),
        ("getPrepayments", {}, {}),
        ("getPrepayment", {"PrepaymentID": c["Prepayments"][0]["PrepaymentID"]}, {}),
        ("getBankTransactions", {}, {"page": "1"}),
        ("getBankTransaction", {"BankTransactionID": c["BankTransactions"][0]["BankTransactionID"]}, {}),
        ("getBankTransfers", {}, {}),
        ("getBankTransfer", {"BankTransferID": c["BankTransfers"][0]["BankTransferID"]}, {}),
        ("getJournals", {}, {}),
        ("getJournal", {"JournalID": journal["JournalID"]}, {}),
        ("getJournalByNumber", {"JournalNumber": "3"}, {}),
        ("getManualJournals", {}, {}),
        ("getManualJournal", {"ManualJournalID": c["ManualJournals"][0]["ManualJournalID"]}, {}),
        ("getTrackingCategories", {}, {}),
        ("getTrackingCategory", {"TrackingCategoryID": category}, {}),
        ("getLinkedTransaction", {"LinkedTransactionID": c["LinkedTransactions"][0]["LinkedTransactionID"]}, {}),
        ("getCurrencies", {}, {}),
        ("getTaxRates", {}, {}),
        ("getTaxRateByTaxType", {"TaxType": c["TaxRates"][0]["TaxType"]}, {}),
        ("getReportAgedPayablesByContact", {}, {"contactId": supplier}),
        ("getReportAgedReceivablesByContact", {}, {"contactId": customer}),
        ("getReportBalanceSheet", {}, {"periods": "2"}),
        ("getReportBankSummary", {}, {}),
        ("getReportProfitAndLoss", {}, {"trackingCategoryID": category}),
        ("getReportTrialBalance", {}, {}),
        ("getReportFromId", {"ReportID": "ProfitAndLoss"}, {}),
    ]


@pytest.fixture(scope="module")
def spec(shared_dir: Path) -> Dict[str, Any]:
    """The Ledgerscope spec, with its defects worked around in the one place that does it."""
    return ledgerscope_spec(str(shared_dir / "specs"))


def _response_schema(spec: Dict[str, Any], operation_id: str) -> Dict[str, Any]:
    for item in spec["paths"].values():
        operation = item.get("get")
        if operation and operation["operationId"] == operation_id:
            schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
            return {**schema, "components": spec["components"]}
    raise AssertionError(f"the spec has no GET operation {operation_id}")


def test_the_calls_cover_38_operations() -> None:
    calls = served_calls(books_for(1001))
    assert {operation for operation, _, _ in calls} == OPERATIONS


@pytest.mark.parametrize("source", SOURCES + ("demo",), ids=str)
def test_every_served_operation_validates_against_the_spec(spec: Dict[str, Any], source: Any) -> None:
    books = books_for(source)
    validated = 0
    for operation_id, path, query in served_calls(books):
        status, body = books.answer(operation_id, path, {k: [v] for k, v in query.items()}, {})
        assert status == 200, (operation_id, body)
        collection = [key for key in body if key not in ("Id", "Status", "ProviderName", "DateTimeUTC", "pagination")]
        assert len(collection) == 1 and body[collection[0]], f"{operation_id} answered no data"
        validator = jsonschema.Draft4Validator(_response_schema(spec, operation_id))
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        assert not errors, f"{operation_id}: " + "; ".join(
            f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors[:5]
        )
        validated += 1
    assert validated == 38


def test_the_validator_catches_a_wrong_type(spec: Dict[str, Any]) -> None:
    books = books_for(1001)
    _, body = books.answer("getInvoices", {}, {"page": ["1"]}, {})
    broken = {**body, "Invoices": [{**body["Invoices"][0], "Total": "12.00", "Status": "SETTLED"}]}
    validator = jsonschema.Draft4Validator(_response_schema(spec, "getInvoices"))
    assert {e.absolute_path[-1] for e in validator.iter_errors(broken)} == {"Total", "Status"}
    _, report = books.answer("getReportTrialBalance", {}, {}, {})
    report["Reports"][0]["Rows"][0]["RowType"] = "Footer"
    assert list(jsonschema.Draft4Validator(_response_schema(spec, "getReportTrialBalance")).iter_errors(report))


def test_the_engine_answers_exactly_the_served_operations() -> None:
    from ledgerflow_xero import surface

    served = {op.operation_id for op in surface.SERVED}
    assert OPERATIONS == served
    assert len(OPERATIONS) == 38
