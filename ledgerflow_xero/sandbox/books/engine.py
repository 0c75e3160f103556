"""The books engine's front door: one served accounting operation in, Xero's JSON out.

:meth:`Books.answer` keys on the spec's operationId. Query parameters are matched
case-insensitively (as Xero does) against the ones the spec lists for that operation; any
other parameter, a bad value or a ``where`` clause it cannot parse is a 400 naming it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import uuid
from typing import Any, Callable, Dict, List, Mapping, Sequence, Tuple

from .errors import BadRequest, NotFound
from .ledger import TODAY, Journal, Ledger, add_months, money, ms, ms_day
from .profiles import DEMO, PROFILES
from .reports import TIMEFRAMES, Reports
from .where import FieldKinds, WhereError, compile_where, ms_to_datetime

Record = Dict[str, Any]
Answer = Tuple[int, Dict[str, Any]]

PROVIDER_NAME = "ledgerflow-xero sandbox"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
JOURNALS_PER_CALL = 100

# operationId -> (collection, id field, number field or None, query parameters, If-Modified-Since?)
_LISTS: Dict[str, Tuple[str, str, str | None, Tuple[str, ...], bool]] = {
    "getAccounts": ("Accounts", "AccountID", None, ("where", "order"), True),
    "getBankTransactions": (
        "BankTransactions",
        "BankTransactionID",
        None,
        ("where", "order", "page", "unitdp", "pageSize"),
        True,
    ),
    "getBankTransfers": ("BankTransfers", "BankTransferID", None, ("where", "order", "includeDeleted"), True),
    "getContacts": (
        "Contacts",
        "ContactID",
        "ContactNumber",
        ("where", "order", "IDs", "page", "includeArchived", "summaryOnly", "searchTerm", "pageSize"),
        True,
    ),
    "getCreditNotes": (
        "CreditNotes",
        "CreditNoteID",
        "CreditNoteNumber",
        ("where", "order", "page", "unitdp", "pageSize"),
        True,
    ),
    "getCurrencies": ("Currencies", "Code", None, ("where", "order"), False),
    "getInvoices": (
        "Invoices",
        "InvoiceID",
        "InvoiceNumber",
        (
            "where",
            "order",
            "IDs",
            "InvoiceNumbers",
            "ContactIDs",
            "Statuses",
            "page",
            "includeArchived",
            "createdByMyApp",
            "unitdp",
            "summaryOnly",
            "pageSize",
            "searchTerm",
        ),
        True,
    ),
    "getManualJournals": ("ManualJournals", "ManualJournalID", None, ("where", "order", "page", "pageSize"), True),
    "getOverpayments": (
        "Overpayments",
        "OverpaymentID",
        None,
        ("where", "order", "page", "unitdp", "pageSize", "References"),
        True,
    ),
    "getPayments": ("Payments", "PaymentID", None, ("where", "order", "page", "pageSize"), True),
    "getPrepayments": (
        "Prepayments",
        "PrepaymentID",
        None,
        ("where", "order", "page", "unitdp", "pageSize", "InvoiceNumbers"),
        True,
    ),
    "getTaxRates": ("TaxRates", "TaxType", None, ("where", "order"), False),
    "getTrackingCategories": (
        "TrackingCategories",
        "TrackingCategoryID",
        None,
        ("where", "order", "includeArchived"),
        False,
    ),
}
# operationId -> (collection, id field, number field or None, query parameters)
_SINGLES: Dict[str, Tuple[str, str, str | None, Tuple[str, ...]]] = {
    "getAccount": ("Accounts", "AccountID", None, ()),
    "getBankTransaction": ("BankTransactions", "BankTransactionID", None, ("unitdp",)),
    "getBankTransfer": ("BankTransfers", "BankTransferID", None, ()),
    "getContact": ("Contacts", "ContactID", "ContactNumber", ()),
    "getContactByContactNumber": ("Contacts", "ContactID", "ContactNumber", ()),
    "getCreditNote": ("CreditNotes", "CreditNoteID", "CreditNoteNumber", ("unitdp",)),
    "getInvoice": ("Invoices", "InvoiceID", "InvoiceNumber", ("unitdp",)),
    "getManualJournal": ("ManualJournals", "ManualJournalID", None, ()),
    "getOverpayment": ("Overpayments", "OverpaymentID", None, ()),
    "getPayment": ("Payments", "PaymentID", None, ()),
    "getPrepayment": ("Prepayments", "PrepaymentID", None, ()),
    "getTaxRateByTaxType": ("TaxRates", "TaxType", None, ()),
    "getTrackingCategory": ("TrackingCategories", "TrackingCategoryID", None, ()),
    "getLinkedTransaction": ("LinkedTransactions", "LinkedTransactionID", None, ()),
}
_REPORT_PARAMS: Dict[str, Tuple[str, ...]] = {
    "getReportBalanceSheet": (
        "date",
        "periods",
        "timeframe",
        "trackingOptionID1",
        "trackingOptionID2",
        "standardLayout",
        "paymentsOnly",
    ),
    "getReportProfitAndLoss": (
        "fromDate",
        "toDate",
        "periods",
        "timeframe",
        "trackingCategoryID",
        "trackingCategoryID2",
        "trackingOptionID",
        "trackingOptionID2",
        "standardLayout",
        "paymentsOnly",
    ),
    "getReportTrialBalance": ("date", "paymentsOnly"),
    "getReportBankSummary": ("fromDate", "toDate"),
    "getReportAgedReceivablesByContact": ("contactId", "date", "fromDate", "toDate"),
    "getReportAgedPayablesByContact": ("contactId", "date", "fromDate", "toDate"),
    "getReportFromId": (),
}
OPERATIONS = frozenset(
    set(_LISTS)
    | set(_SINGLES)
    | set(_REPORT_PARAMS)
    | {"getOrganisations", "getJournals", "getJournal", "getJournalByNumber"}
)
"""The operationIds :meth:`Books.answer` answers with data: the 38 reads Ledgerflow serves."""

# Report parameters the spec lists that the sandbox does not compute: refused by name.
_REPORT_UNSUPPORTED = {
    "trackingOptionID1": "filtering a balance sheet by tracking option",
    "trackingOptionID2": "a second tracking option",
    "trackingCategoryID2": "a second tracking category",
}
_REPORTS_BY_ID = {
    "balancesheet": "getReportBalanceSheet",
    "profitandloss": "getReportProfitAndLoss",
    "trialbalance": "getReportTrialBalance",
    "banksummary": "getReportBankSummary",
}
_SUMMARY_DROPS = {
    "Invoices": ("LineItems", "Payments", "CreditNotes", "Prepayments", "Overpayments"),
    "Contacts": ("Addresses", "Phones", "ContactPersons", "ContactGroups"),
}
_SEARCH_FIELDS = {
    "Invoices": ("InvoiceNumber", "Reference"),
    "Contacts": ("Name", "FirstName", "LastName", "ContactNumber", "EmailAddress"),
}


def validation_error(message: str) -> Dict[str, Any]:
    """Xero's 400 body (the same shape as the sandbox's ``wire.validation_error``)."""
    return {"ErrorNumber": 10, "Type": "ValidationException", "Message": message}


def not_found(detail: str) -> Dict[str, Any]:
    """Xero's 404 problem body (the same shape as the sandbox's ``wire.problem``)."""
    return {
        "Type": None,
        "Title": "Not Found",
        "Status": 404,
        "Detail": detail,
        "Instance": str(uuid.uuid4()),
        "Extensions": {},
    }


def _cut(text: str) -> str:
    return text if len(text) <= 100 else text[:97] + "..."


class _Query:
    """An operation's query parameters, named case-insensitively; unknown ones are refused."""

    def __init__(self, operation_id: str, query: Mapping[str, Sequence[str]], allowed: Sequence[str]) -> None:
        canonical = {name.lower(): name for name in allowed}
        self.values: Dict[str, str] = {}
        for name, values in query.items():
            known = canonical.get(name.lower())
            if known is None:
                accepted = ", ".join(allowed) or "no query parameters"
                raise BadRequest(
                    f"the sandbox does not implement the query parameter {_cut(name)!r} for {operation_id}; "
                    f"it accepts {accepted}"
                )
            values = list(values)
            if known in self.values or len(values) > 1:
                raise BadRequest(f"the query parameter {known} is given more than once")
            self.values[known] = values[0] if values else ""

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def integer(self, name: str, low: int, high: int) -> int | None:
        raw = self.values.get(name)
        if raw is None:
            return None
        if not raw.strip().isdigit() or not low <= int(raw) <= high:
            raise BadRequest(f"{name} {_cut(raw)!r} must be a whole number from {low} to {high}")
        return int(raw)

    def flag(self, name: str) -> bool | None:
        raw = self.values.get(name)
        if raw is None:
            return None
        if raw.lower() not in ("true", "false"):
            raise BadRequest(f"{name} {_cut(raw)!r} must be true or false")
        return raw.lower() == "true"

    def date(self, name: str) -> dt.date | None:
        raw = self.values.get(name)
        if raw is None:
            return None
        try:
            return dt.datetime.fromisoformat(raw.strip()).date()
        except ValueError:
            raise BadRequest(f"{name} {_cut(raw)!r} must be a date like 2026-03-31") from None

    def csv(self, name: str) -> List[str] | None:
        raw = self.values.get(name)
        if raw is None:
            return None
        return [part.strip() for part in raw.split(",") if part.strip()]


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((value for key, value in headers.items() if key.lower() == lowered), None)


def _parse_since(value: str) -> dt.datetime:
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise BadRequest(f"If-Modified-Since {_cut(value)!r} is not an HTTP date or ISO 8601 time") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment


class Books:
    """One company's books answering Xero's served accounting reads (see :meth:`answer`).

    Answer bodies share records with the books: treat them as read-only (serialise, don't edit).
    """

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.tenant_id: str = ledger.tenant_id
        self.name: str = ledger.profile.name
        self.currency: str = ledger.profile.currency
        self.source = ledger.profile.key
        self.today: dt.date = ledger.today
        self.reports = Reports(ledger)
        self.cash_reports = Reports(ledger, cash_basis=True)
        self.collections = ledger.collections
        self._indexes: Dict[Tuple[str, str], Dict[str, Record]] = {}
        self._fields: Dict[str, FieldKinds] = {}
        self._journal_json: Dict[int, Record] = {}
        self._cash_journal_json: Dict[int, Record] = {}
        self._owned: set[int] | None = None  # ids of the records the books hold (never freed while they live)
        self._json_cache: Dict[int, str] = {}

    # ------------------------------------------------------------------ public
    def answer(
        self,
        operation_id: str,
        path_params: Mapping[str, str],
        query: Mapping[str, Sequence[str]],
        headers: Mapping[str, str],
    ) -> Answer:
        """The JSON Xero's spec describes for ``operation_id`` (200), or a Xero-shaped 400/404 body."""
        try:
            return 200, self._envelope(self._dispatch(operation_id, path_params, query, headers))
        except BadRequest as error:  # WhereError is one
            return 400, validation_error(str(error))
        except NotFound as error:
            return 404, not_found(str(error))

    def answer_json(
        self,
        operation_id: str,
        path_params: Mapping[str, str],
        query: Mapping[str, Sequence[str]],
        headers: Mapping[str, str],
    ) -> Tuple[int, bytes]:
        """:meth:`answer` already serialised as compact UTF-8 JSON, for the HTTP side.

        The books' records never change once built, so each one is serialised once and the
        bytes reused: a 100-invoice page costs a join, not a ``json.dumps`` of every invoice.
        """
        status, body = self.answer(operation_id, path_params, query, headers)
        if status != 200:
            return status, json.dumps(body, separators=(",", ":")).encode()
        parts = []
        for key, value in body.items():
            encoded = json.dumps(key) + ":"
            if isinstance(value, list) and key in self.collections:
                encoded += "[" + ",".join(self._record_json(record) for record in value) + "]"
            else:
                encoded += json.dumps(value, separators=(",", ":"))
            parts.append(encoded)
        return status, ("{" + ",".join(parts) + "}").encode()

    def _record_json(self, record: Record) -> str:
        key = id(record)
        if self._owned is None:
            self._owned = {id(r) for records in self.collections.values() for r in records}
        if key not in self._owned:  # a trimmed copy (summaryOnly): not kept, its id may be reused
            return json.dumps(record, separators=(",", ":"))
        cached = self._json_cache.get(key)
        if cached is None:
            cached = self._json_cache[key] = json.dumps(record, separators=(",", ":"))
        return cached

    def record(self, operation_id: str, path_params: Mapping[str, str]) -> Dict[str, Any] | None:
        """The single invoice or credit note a PDF is rendered from (by id or number), or None."""
        keys = {k.lower(): v for k, v in path_params.items()}
        if "invoiceid" in keys:
            return self._find("Invoices", "InvoiceID", "InvoiceNumber", keys["invoiceid"])
        if "creditnoteid" in keys:
            return self._find("CreditNotes", "CreditNoteID", "CreditNoteNumber", keys["creditnoteid"])
        return None

    # ------------------------------------------------------------------ dispatch
    def _dispatch(
        self,
        operation_id: str,
        path_params: Mapping[str, str],
        query: Mapping[str, Sequence[str]],
        headers: Mapping[str, str],
    ) -> Record:
        if operation_id == "getOrganisations":
            _Query(operation_id, query, ())
            self._no_since(operation_id, headers)
            return {"Organisations": [self.ledger.organisation]}
        if operation_id in _LISTS:
            return self._list(operation_id, query, headers)
        if operation_id in _SINGLES:
            return self._single(operation_id, path_params, query, headers)
        if operation_id == "getJournals":
            return self._journals(query, headers)
        if operation_id in ("getJournal", "getJournalByNumber"):
            _Query(operation_id, query, ())
            self._no_since(operation_id, headers)
            return {"Journals": [self._journal(self._path_value(path_params))]}
        if operation_id in _REPORT_PARAMS:
            self._no_since(operation_id, headers)
            return {"Reports": [self._report(operation_id, path_params, query)]}
        raise NotFound(f"the books engine does not answer the operation {_cut(operation_id)!r}")

    @staticmethod
    def _no_since(operation_id: str, headers: Mapping[str, str]) -> None:
        if _header(headers, "If-Modified-Since") is not None:
            raise BadRequest(f"{operation_id} does not take an If-Modified-Since header")

    def _envelope(self, body: Record) -> Record:
        return {
            "Id": str(uuid.uuid4()),
            "Status": "OK",
            "ProviderName": PROVIDER_NAME,
            "DateTimeUTC": ms(dt.datetime.now(dt.timezone.utc)),
            **body,
        }

    @staticmethod
    def _path_value(path_params: Mapping[str, str]) -> str:
        if len(path_params) != 1:
            raise BadRequest(f"expected one path parameter, got {sorted(path_params)}")
        return str(next(iter(path_params.values())))

    def _index(self, collection: str, field: str) -> Dict[str, Record]:
        key = (collection, field)
        if key not in self._indexes:
            self._indexes[key] = {
                str(r.get(field, "")).lower(): r for r in self.collections[collection] if r.get(field)
            }
        return self._indexes[key]

    def _find(self, collection: str, id_field: str, number_field: str | None, wanted: str) -> Record | None:
        found = self._index(collection, id_field).get(wanted.lower())
        if found is None and number_field:
            found = self._index(collection, number_field).get(wanted.lower())
        return found

    def _fields_of(self, collection: str) -> FieldKinds:
        if collection not in self._fields:
            self._fields[collection] = FieldKinds(self.collections[collection])
        return self._fields[collection]

    # ------------------------------------------------------------------ collections
    def _single(
        self,
        operation_id: str,
        path_params: Mapping[str, str],
        query: Mapping[str, Sequence[str]],
        headers: Mapping[str, str],
    ) -> Record:
        collection, id_field, number_field, allowed = _SINGLES[operation_id]
        params = _Query(operation_id, query, allowed)
        self._no_since(operation_id, headers)
        params.integer("unitdp", 2, 4)
        wanted = self._path_value(path_params)
        found = self._find(collection, id_field, number_field, wanted)
        if found is None:
            singular = collection[:-1] if collection.endswith("s") else collection
            raise NotFound(f"no {singular} {_cut(wanted)} in this organisation")
        return {collection: [found]}

    def _list(self, operation_id: str, query: Mapping[str, Sequence[str]], headers: Mapping[str, str]) -> Record:
        collection, id_field, _, allowed, takes_since = _LISTS[operation_id]
        params = _Query(operation_id, query, allowed)
        records: List[Record] = self.collections[collection]
        params.integer("unitdp", 2, 4)
        since_header = _header(headers, "If-Modified-Since")
        if since_header is not None:
            if not takes_since:
                raise BadRequest(f"{operation_id} does not take an If-Modified-Since header")
            since = _parse_since(since_header)
            stamp = "UpdatedDateUTC"
            records = [r for r in records if (m := ms_to_datetime(r.get(stamp, ""))) is not None and m > since]
        if params.flag("includeArchived") is not True and collection in ("Contacts", "TrackingCategories"):
            status_field = "ContactStatus" if collection == "Contacts" else "Status"
            records = [r for r in records if r.get(status_field) != "ARCHIVED"]
        params.flag("includeDeleted")  # the sandbox keeps no deleted transfers; the flag changes nothing
        if params.flag("createdByMyApp"):
            records = []  # nothing in the sandbox's books was created by the caller's app
        for name, field, nested in (
            ("IDs", id_field, None),
            ("InvoiceNumbers", "InvoiceNumber", None),
            ("ContactIDs", "Contact", "ContactID"),
            ("Statuses", "Status", None),
            ("References", "Reference", None),
        ):
            wanted = params.csv(name)
            if wanted is None:
                continue
            wanted_set = {w.lower() for w in wanted}
            if name == "InvoiceNumbers" and collection == "Prepayments":
                records = [
                    r
                    for r in records
                    if any(a["Invoice"]["InvoiceNumber"].lower() in wanted_set for a in r.get("Allocations", []))
                ]
                continue

            def value(record: Record, field: str = field, nested: str | None = nested) -> str:
                got = record.get(field)
                if nested is not None:
                    got = got.get(nested) if isinstance(got, dict) else None
                return str(got or "").lower()

            records = [r for r in records if value(r) in wanted_set]
        term = params.get("searchTerm")
        if term is not None:
            lowered = term.lower()
            fields = _SEARCH_FIELDS[collection]
            records = [r for r in records if any(lowered in str(r.get(f) or "").lower() for f in fields)]
        where = params.get("where")
        if where is not None and where.strip():
            predicate = compile_where(where, self._fields_of(collection))
            records = [r for r in records if predicate(r)]
        order = params.get("order")
        if order is not None and order.strip():
            records = self._ordered(records, collection, order)
        body: Record = {}
        page = params.integer("page", 1, 10**9)
        page_size = params.integer("pageSize", 1, MAX_PAGE_SIZE)
        if page_size is not None and page is None:
            raise BadRequest("pageSize needs page (Xero pages only when page is given)")
        if page is not None:
            size = page_size or DEFAULT_PAGE_SIZE
            count = len(records)
            body["pagination"] = {"page": page, "pageSize": size, "pageCount": -(-count // size), "itemCount": count}
            records = records[(page - 1) * size : page * size]
        if params.flag("summaryOnly") and collection in _SUMMARY_DROPS:
            drops = _SUMMARY_DROPS[collection]
            records = [{k: v for k, v in r.items() if k not in drops} for r in records]
        body[collection] = records
        return body

    def _ordered(self, records: List[Record], collection: str, order: str) -> List[Record]:
        """``order=Field [ASC|DESC][, Field2 ...]``; nested fields like ``Contact.Name``; stable."""
        fields = self._fields_of(collection)
        keys: List[Tuple[Callable[[Record], Any], bool]] = []
        for part in order.split(","):
            words = part.split()
            if not words or len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
                raise BadRequest(f"order {_cut(order)!r} must be a field name, then ASC or DESC")
            try:
                path, kind = fields.resolve(words[0].split("."))
            except WhereError:
                raise BadRequest(f"order: unknown field {_cut(words[0])!r}") from None
            if kind in ("object", "list"):
                raise BadRequest(f"order: {words[0]} is not a single value")

            def get(record: Record, path: Tuple[str, ...] = path, kind: str = kind) -> Any:
                value: Any = record
                for key in path:
                    value = value.get(key) if isinstance(value, dict) else None
                if kind == "date" and isinstance(value, str):
                    value = ms_to_datetime(value)
                if isinstance(value, str):
                    value = value.lower()
                return (value is not None, value if value is not None else 0)

            keys.append((get, len(words) == 2 and words[1].upper() == "DESC"))
        ordered = list(records)
        for key_of, descending in reversed(keys):
            ordered.sort(key=key_of, reverse=descending)
        return ordered

    # ------------------------------------------------------------------ journals
    def _journals(self, query: Mapping[str, Sequence[str]], headers: Mapping[str, str]) -> Record:
        params = _Query("getJournals", query, ("offset", "paymentsOnly"))
        offset = params.integer("offset", 0, 10**9) or 0
        payments_only = params.flag("paymentsOnly") or False
        since_header = _header(headers, "If-Modified-Since")
        since = _parse_since(since_header).replace(tzinfo=dt.timezone.utc) if since_header else None
        chosen: List[Record] = []
        journals = self.ledger.cash_journals if payments_only else self.ledger.journals
        for journal in journals[offset:]:
            if since is not None and journal.created <= since:
                continue
            chosen.append(self._journal_record(journal, cash_basis=payments_only))
            if len(chosen) == JOURNALS_PER_CALL:
                break
        return {"Journals": chosen}

    def _journal(self, wanted: str) -> Record:
        if wanted.isdigit():
            journal = self.ledger.journal_by_number.get(int(wanted))
        else:
            if not hasattr(self, "_journal_ids"):
                self._journal_ids = {j.id: j for j in self.ledger.journals}
            journal = self._journal_ids.get(wanted.lower())
        if journal is None:
            raise NotFound(f"no Journal {_cut(wanted)} in this organisation")
        return self._journal_record(journal)

    def _journal_record(self, journal: Journal, cash_basis: bool = False) -> Record:
        cache = self._cash_journal_json if cash_basis else self._journal_json
        cached = cache.get(journal.number)
        if cached is not None:
            return cached
        accounts = self.ledger.accounts
        lines = []
        for k, line in enumerate(journal.lines):
            account = accounts[line.account]
            tax_name = self.ledger.tax_rate_of.get(line.tax_type, ("", 0))[0] if line.tax else ""
            lines.append(
                {
                    "JournalLineID": f"{journal.id[:24]}{k + 1:012x}",
                    "AccountID": account["AccountID"],
                    "AccountCode": account["Code"],
                    "AccountType": account["Type"],
                    "AccountName": account["Name"],
                    "Description": line.description,
                    "NetAmount": money(line.net),
                    "GrossAmount": money(line.net + line.tax),
                    "TaxAmount": money(line.tax),
                    "TaxType": line.tax_type,
                    "TaxName": tax_name,
                    "TrackingCategories": self.ledger.tracking_json(line.tracking),
                }
            )
        record = {
            "JournalID": journal.id,
            "JournalDate": ms_day(journal.date),
            "JournalNumber": journal.number,
            "CreatedDateUTC": ms(journal.created),
            "Reference": journal.reference,
            "SourceID": journal.source_id,
            "SourceType": journal.source_type,
            "JournalLines": lines,
        }
        if len(cache) < 50_000:
            cache[journal.number] = record
        return record

    # ------------------------------------------------------------------ reports
    def _report(self, operation_id: str, path_params: Mapping[str, str], query: Mapping[str, Sequence[str]]) -> Record:
        if operation_id == "getReportFromId":
            _Query(operation_id, query, ())
            wanted = self._path_value(path_params)
            target = _REPORTS_BY_ID.get(wanted.lower())
            if target is None:
                raise NotFound(
                    f"no report {_cut(wanted)}; the sandbox answers these by id: BalanceSheet, ProfitAndLoss, "
                    "TrialBalance, BankSummary"
                )
            return self._report(target, {}, {})
        params = _Query(operation_id, query, _REPORT_PARAMS[operation_id])
        for name, what in _REPORT_UNSUPPORTED.items():
            if params.get(name) is not None:
                raise BadRequest(f"the sandbox does not implement {name} ({what})")
        params.flag("standardLayout")  # the sandbox's layout is Xero's standard layout either way
        reports = self.cash_reports if params.flag("paymentsOnly") else self.reports
        if operation_id == "getReportBalanceSheet":
            on = params.date("date") or self.today
            periods, months = self._periods(params)
            return reports.balance_sheet(on, periods, months)
        if operation_id == "getReportTrialBalance":
            return reports.trial_balance(params.date("date") or self.today)
        if operation_id == "getReportBankSummary":
            start, end = self._range(params)
            return reports.bank_summary(start, end)
        if operation_id == "getReportProfitAndLoss":
            start, end = self._range(params)
            periods, months = self._periods(params)
            category, option = self._tracking(params)
            if category is not None and periods:
                raise BadRequest("the sandbox does not implement periods together with trackingCategoryID")
            return reports.profit_and_loss(start, end, periods, months, category, option)
        contact = params.get("contactId")
        if not contact:
            raise BadRequest(f"contactId is required for {operation_id}")
        on = params.date("date") or self.today
        dated_from, dated_to = params.date("fromDate"), params.date("toDate")
        return reports.aged(operation_id == "getReportAgedReceivablesByContact", contact, on, dated_from, dated_to)

    def _range(self, params: _Query) -> Tuple[dt.date, dt.date]:
        start, end = params.date("fromDate"), params.date("toDate")
        if end is None:
            end = self.today if start is None else min_month_end(start)
        if start is None:
            start = end.replace(day=1)
        if start > end:
            raise BadRequest(f"fromDate {start} is after toDate {end}")
        return start, end

    @staticmethod
    def _periods(params: _Query) -> Tuple[int, int]:
        periods = params.integer("periods", 1, 11) or 0
        timeframe = (params.get("timeframe") or "MONTH").upper()
        if timeframe not in TIMEFRAMES:
            raise BadRequest(f"timeframe {_cut(params.get('timeframe') or '')!r} must be MONTH, QUARTER or YEAR")
        return periods, TIMEFRAMES[timeframe]

    def _tracking(self, params: _Query) -> Tuple[int | None, int | None]:
        category_id = params.get("trackingCategoryID")
        option_id = params.get("trackingOptionID")
        if category_id is None:
            if option_id is not None:
                raise BadRequest("trackingOptionID needs trackingCategoryID")
            return None, None
        categories = self.ledger.tracking_categories
        index = next((i for i, c in enumerate(categories) if c["TrackingCategoryID"] == category_id.lower()), None)
        if index is None:
            raise BadRequest(
                f"trackingCategoryID {_cut(category_id)!r} is not a tracking category of this organisation"
            )
        if option_id is None:
            return index, None
        option = next(
            (
                o
                for o in self.ledger.category_options[index]
                if self.ledger.options[o][1]["TrackingOptionID"] == option_id.lower()
            ),
            None,
        )
        if option is None:
            raise BadRequest(f"trackingOptionID {_cut(option_id)!r} is not an option of that tracking category")
        return index, option


def min_month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    return add_months(day.replace(day=1), 1) - dt.timedelta(days=1)


def build_books(source: int, *, seed: int = 0, scale: int = 1) -> Books:
    """The books of source ``source`` (1001, 1004 or 1009), the same for the same seed and scale."""
    try:
        profile = PROFILES[int(source)]
    except (KeyError, ValueError, TypeError):
        raise ValueError(f"source {_cut(repr(source))} has no sandbox books; sources: 1001, 1004, 1009") from None
    if not isinstance(scale, int) or isinstance(scale, bool) or not 1 <= scale <= 1000:
        raise ValueError(f"scale {_cut(repr(scale))} must be a whole number from 1 to 1000")
    return Books(Ledger(profile, seed, scale))


def build_demo_books() -> Books:
    """The vendor spec's ``demo`` tenant: its own company (an Australian one), read-only, always the same."""
    return Books(Ledger(DEMO, 0, 1))


__all__ = ["Books", "build_books", "build_demo_books", "validation_error", "not_found", "OPERATIONS", "TODAY"]
