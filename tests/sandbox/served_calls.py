"""Every served operation as xero-python's ``AccountingApi`` calls it, with arguments taken from the
sandbox's books — shared by the contract test and the sandbox bench."""

from __future__ import annotations

import inspect
from typing import Any, Dict, List, Tuple

from ledgerflow_xero import surface


def _first(books: Any, collection: str, field: str, **where: Any) -> Any:
    for record in books.collections[collection]:
        if all(_get(record, key) == value for key, value in where.items()):
            return record[field]
    raise LookupError(f"no {collection} record with {where} in {books.name}")


def _get(record: Dict[str, Any], dotted: str) -> Any:
    value: Any = record
    for part in dotted.split("__"):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _journal(books: Any, field: str) -> Any:
    status, body = books.answer("getJournals", {}, {}, {})
    assert status == 200 and body["Journals"], body
    return body["Journals"][0][field]


def argument_values(books: Any) -> Dict[str, Any]:
    """xero-python's path-parameter names -> a value that exists in ``books``."""
    customer = _first(books, "Invoices", "Contact", Type="ACCREC", Status="AUTHORISED")["ContactID"]
    supplier = _first(books, "Invoices", "Contact", Type="ACCPAY", Status="AUTHORISED")["ContactID"]
    return {
        "account_id": _first(books, "Accounts", "AccountID"),
        "bank_transaction_id": _first(books, "BankTransactions", "BankTransactionID"),
        "bank_transfer_id": _first(books, "BankTransfers", "BankTransferID"),
        "contact_id": _first(books, "Contacts", "ContactID"),
        "contact_number": _first(books, "Contacts", "ContactNumber"),
        "credit_note_id": _first(books, "CreditNotes", "CreditNoteID"),
        "invoice_id": _first(books, "Invoices", "InvoiceID"),
        "journal_id": _journal(books, "JournalID"),
        "journal_number": _journal(books, "JournalNumber"),
        "linked_transaction_id": _first(books, "LinkedTransactions", "LinkedTransactionID"),
        "manual_journal_id": _first(books, "ManualJournals", "ManualJournalID"),
        "overpayment_id": _first(books, "Overpayments", "OverpaymentID"),
        "payment_id": _first(books, "Payments", "PaymentID"),
        "prepayment_id": _first(books, "Prepayments", "PrepaymentID"),
        "report_id": "BalanceSheet",
        "tax_type": _first(books, "TaxRates", "TaxType"),
        "tracking_category_id": _first(books, "TrackingCategories", "TrackingCategoryID"),
        # the aged reports' required query parameter: a contact with open invoices of that kind
        ("get_report_aged_receivables_by_contact", "contact_id"): customer,
        ("get_report_aged_payables_by_contact", "contact_id"): supplier,
    }


def served_calls(accounting_api_class: Any, books: Any) -> List[Tuple[surface.Operation, str, Dict[str, Any]]]:
    """(operation, AccountingApi method name, keyword arguments besides the tenant) for every served one."""
    values = argument_values(books)
    calls = []
    for operation in surface.SERVED:
        method = getattr(accounting_api_class, operation.sdk_method)
        kwargs: Dict[str, Any] = {}
        for name, parameter in inspect.signature(method).parameters.items():
            if name in ("self", "xero_tenant_id") or parameter.default is not inspect.Parameter.empty:
                continue
            kwargs[name] = values.get((operation.sdk_method, name), values.get(name))
            assert kwargs[name] is not None, (operation.sdk_method, name)
        calls.append((operation, operation.sdk_method, kwargs))
    return calls


def has_data(answer: Any) -> bool:
    """Whether a deserialised answer carries records (a non-empty list, or a report with rows)."""
    for name in answer.attribute_map:
        value = getattr(answer, name, None)
        if isinstance(value, list) and value:
            first = value[0]
            if hasattr(first, "rows"):
                return bool(first.rows)
            return True
    return False
