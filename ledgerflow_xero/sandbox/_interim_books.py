"""INTERIM: the old built-in dataset behind the agreed ``Books`` interface, until ``sandbox.books`` lands.

Answers the 13 operations the sandbox served before (organisation, accounts, contacts, invoices,
payments, tax rates, currencies); any other served operation is a 404 naming it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import uuid
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from .dataset import Organisation, Record, build_organisation, ms_date

_OPERATIONS = {
    "getAccounts": ("Accounts", "AccountID", None), "getAccount": ("Accounts", "AccountID", None),
    "getTaxRates": ("TaxRates", "TaxType", None), "getTaxRateByTaxType": ("TaxRates", "TaxType", None),
    "getCurrencies": ("Currencies", "Code", None),
    "getContacts": ("Contacts", "ContactID", "ContactNumber"),
    "getContact": ("Contacts", "ContactID", "ContactNumber"),
    "getContactByContactNumber": ("Contacts", "ContactID", "ContactNumber"),
    "getInvoices": ("Invoices", "InvoiceID", "InvoiceNumber"), "getInvoice": ("Invoices", "InvoiceID", "InvoiceNumber"),
    "getPayments": ("Payments", "PaymentID", None), "getPayment": ("Payments", "PaymentID", None),
}
_PAGED = {"Contacts", "Invoices", "Payments"}
_LIST_FILTERS = {"ids": ("{id}", None), "invoicenumbers": ("InvoiceNumber", None),
                 "contactids": ("Contact", "ContactID"), "statuses": ("Status", None)}
_HARMLESS = {"page", "pagesize", "unitdp", "summaryonly", "includearchived", "createdbymyapp", "order"}


def _error(message: str) -> Tuple[int, Dict[str, Any]]:
    return 400, {"ErrorNumber": 10, "Type": "ValidationException", "Message": message}


def _since(value: str) -> dt.datetime | None:
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


class InterimBooks:
    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self.tenant_id = organisation.tenant_id
        self.name = organisation.name
        self.currency = organisation.record["BaseCurrency"]
        self.collections = organisation.collections
        self.record_ = organisation.record

    def _envelope(self, key: str, records: List[Record], **extra: Any) -> Tuple[int, Dict[str, Any]]:
        return 200, {"Id": str(uuid.uuid4()), "Status": "OK", "ProviderName": "ledgerflow-xero sandbox",
                     "DateTimeUTC": ms_date(dt.datetime.now(dt.timezone.utc)), **extra, key: records}

    def record(self, operation_id: str, path_params: Mapping[str, str]) -> Dict[str, Any] | None:
        if operation_id != "getInvoice":
            return None
        status, body = self.answer(operation_id, path_params, {}, {})
        return body["Invoices"][0] if status == 200 else None

    def answer(self, operation_id: str, path_params: Mapping[str, str], query: Mapping[str, Sequence[str]],
               headers: Mapping[str, str]) -> Tuple[int, Dict[str, Any]]:
        if operation_id == "getOrganisations":
            return self._envelope("Organisations", [self.record_])
        if operation_id not in _OPERATIONS:
            return 404, {"Title": "Not Found", "Status": 404, "Detail": f"interim data has no {operation_id}"}
        key, id_key, alt_key = _OPERATIONS[operation_id]
        records = self.collections[key]
        if path_params:
            wanted = next(iter(path_params.values()))
            found = [r for r in records if str(r.get(id_key, "")).lower() == wanted.lower()
                     or (alt_key and r.get(alt_key) == wanted)]
            if not found:
                return 404, {"Title": "Not Found", "Status": 404, "Detail": f"no {key} {wanted}"}
            return self._envelope(key, found)
        lowered = {k.lower(): v for k, v in query.items()}
        unsupported = [p for p in query if p.lower() not in _HARMLESS and p.lower() not in _LIST_FILTERS]
        if unsupported:
            return _error(f"the sandbox does not implement the query parameter(s) {', '.join(sorted(unsupported))}")
        for param, (field, nested) in _LIST_FILTERS.items():
            if param not in lowered:
                continue
            wanted_values = {v.strip().lower() for v in lowered[param][0].split(",") if v.strip()}
            field = id_key if field == "{id}" else field

            def value_of(record: Record, field: str = field, nested: str | None = nested) -> str:
                value = record.get(field, "")
                return str(value.get(nested, "") if nested and isinstance(value, dict) else value).lower()

            records = [r for r in records if value_of(r) in wanted_values]
        since_header = headers.get("if-modified-since")
        if since_header:
            since = _since(since_header)
            if since is None:
                return _error(f"If-Modified-Since {since_header!r} is not a date")
            records = [r for r in records if "UpdatedDateUTC" in r
                       and int(r["UpdatedDateUTC"][6:].split("+")[0]) / 1000 > since.timestamp()]
        if "page" not in lowered or key not in _PAGED:
            return self._envelope(key, records)
        page, size = int(lowered["page"][0]), int(lowered.get("pagesize", ["100"])[0])
        pagination = {"page": page, "pageSize": size, "pageCount": -(-len(records) // size), "itemCount": len(records)}
        return self._envelope(key, records[(page - 1) * size: page * size], pagination=pagination)


def build_books(source: int, *, seed: int = 0, scale: int = 1) -> InterimBooks:
    return InterimBooks(build_organisation(source, random.Random(f"{seed}-{source}")))


def build_demo_books() -> InterimBooks:
    books = build_books(1004, seed=-1)
    books.tenant_id = "demo"
    books.name = "Ledgerscope Demo Company"
    books.record_ = dict(books.record_, Name=books.name)
    return books
