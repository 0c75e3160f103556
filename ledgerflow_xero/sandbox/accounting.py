"""The accounting API of the sandbox: bearer and tenant checks, the built-in data, and forwarding.

Reads of the built-in collections are answered here; any other accounting path (and any
write) goes to ``--accounting-upstream`` when one is set — a spec mock such as Prism —
after the same bearer and tenant checks, without the caller's bearer token.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import uuid
from typing import Any, Dict, List

import urllib3

from ..errors import SandboxConfigError
from ..routing import is_xero_host, read_url
from .authority import Authority, TokenRefused
from .dataset import Organisation, Record, ms_date
from .identity import bearer_token, unauthorized
from .wire import Request, Response, json_response, problem, validation_error

TENANT_HEADERS = ("xero-tenant-id", "ledgerscope-tenant-id")  # Xero's name, and the vendor's delta spec
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

# Xero resource name -> the key of its id, and the other field a single record may be fetched by.
_COLLECTIONS = {
    "accounts": ("Accounts", "AccountID", None),
    "taxrates": ("TaxRates", "TaxType", None),
    "currencies": ("Currencies", "Code", None),
    "contacts": ("Contacts", "ContactID", "ContactNumber"),
    "items": ("Items", "ItemID", "Code"),
    "invoices": ("Invoices", "InvoiceID", "InvoiceNumber"),
    "payments": ("Payments", "PaymentID", None),
}
_PAGED = {"contacts", "invoices", "payments"}
# Query parameters a read may carry and what they filter: (record key, nested key or None)
_LIST_FILTERS = {
    "ids": ("{id}", None),
    "invoicenumbers": ("InvoiceNumber", None),
    "contactids": ("Contact", "ContactID"),
    "statuses": ("Status", None),
}
_HARMLESS = {"page", "pagesize", "unitdp", "summaryonly", "includearchived", "createdbymyapp", "order"}
_FORWARDED_HEADERS = ("accept", "content-type", "if-modified-since", "xero-tenant-id", "idempotency-key")


def validate_upstream(url: str) -> str:
    """Check ``--accounting-upstream``: an http(s) URL, never a Xero host (fail closed)."""
    if not url.startswith(("http://", "https://")) or is_xero_host(read_url(url).host):
        raise SandboxConfigError(f"accounting upstream {url!r} must be an http(s) URL that is not a Xero host")
    return url.rstrip("/")


def _parse_since(value: str) -> dt.datetime | None:
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _ms(value: str) -> float:
    return int(value[6:].split("+")[0].split(")")[0]) / 1000


class Accounting:
    """Answers ``/{source}/api.xro/2.0/...`` for every source."""

    def __init__(
        self, authority: Authority, organisations: Dict[int, Organisation], upstream: str | None = None
    ) -> None:
        self.authority = authority
        self.organisations = organisations
        self.upstream = validate_upstream(upstream) if upstream else None
        self._pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=5, read=30))

    def handle(self, request: Request, source: int | None, resource_path: str) -> Response:
        token = bearer_token(request)
        if token is None:
            return unauthorized("AuthenticationUnsuccessful: no bearer token")
        try:
            access = self.authority.check_access_token(token, source)
        except TokenRefused as refusal:
            return unauthorized(refusal.detail)
        tenant_id = next((request.headers[h] for h in TENANT_HEADERS if request.headers.get(h)), None)
        if tenant_id is None and access.grant.subject is None and len(access.tenant_ids) == 1:
            tenant_id = access.tenant_ids[0]  # a custom connection needs no tenant header, as on Xero
        if tenant_id is None:
            return problem(403, "AuthorizationUnsuccessful: missing xero-tenant-id header")
        if tenant_id not in access.tenant_ids:
            return problem(403, "AuthorizationUnsuccessful: tenant is not in this token's connections")
        organisation = self.organisations[access.grant.source]
        segments = [s for s in resource_path.split("/") if s]
        response = None
        if request.method in ("GET", "HEAD") and 1 <= len(segments) <= 2:
            response = self._read(request, organisation, segments)
        if response is None:
            response = self._forward(request, resource_path, tenant_id)
        response.note = f"tenant={tenant_id[:8]} {response.note}".strip()
        return response

    def _envelope(self, key: str, records: List[Record], **extra: Any) -> Response:
        payload = {
            "Id": str(uuid.uuid4()),
            "Status": "OK",
            "ProviderName": "ledgerflow-xero sandbox",
            "DateTimeUTC": ms_date(dt.datetime.now(dt.timezone.utc)),
            **extra,
            key: records,
        }
        return json_response(200, payload)

    def _read(self, request: Request, organisation: Organisation, segments: List[str]) -> Response | None:
        name = segments[0].lower()
        if name == "organisation" and len(segments) == 1:
            return self._envelope("Organisations", [organisation.record])
        if name not in _COLLECTIONS:
            return None
        key, id_key, alt_key = _COLLECTIONS[name]
        records = organisation.collections[key]
        if len(segments) == 2:
            wanted = segments[1]
            found = [
                r
                for r in records
                if str(r.get(id_key, "")).lower() == wanted.lower() or (alt_key and r.get(alt_key) == wanted)
            ]
            if not found:
                return problem(404, f"no {key[:-1] if key.endswith('s') else key} {wanted} in this organisation")
            return self._envelope(key, found)
        unsupported = [p for p in request.query if p.lower() not in _HARMLESS and p.lower() not in _LIST_FILTERS]
        if unsupported:
            if self.upstream:
                return None
            return validation_error(
                f"the sandbox does not implement the query parameter(s) {', '.join(sorted(unsupported))}; "
                "it filters by page, pageSize, IDs, InvoiceNumbers, ContactIDs, Statuses and If-Modified-Since"
            )
        for param, (field, nested) in _LIST_FILTERS.items():
            raw = request.param(param)
            if raw is None:
                continue
            wanted_values = {v.strip().lower() for v in raw.split(",") if v.strip()}
            field = id_key if field == "{id}" else field

            def value_of(record: Record, field: str = field, nested: str | None = nested) -> str:
                value = record.get(field, "")
                return str(value.get(nested, "") if nested and isinstance(value, dict) else value).lower()

            records = [r for r in records if value_of(r) in wanted_values]
        since_header = request.headers.get("if-modified-since")
        if since_header:
            since = _parse_since(since_header)
            if since is None:
                return validation_error(f"If-Modified-Since {since_header!r} is not an HTTP date or ISO 8601 time")
            records = [r for r in records if "UpdatedDateUTC" in r and _ms(r["UpdatedDateUTC"]) > since.timestamp()]
        order = request.param("order")
        if order:
            field, _, direction = order.strip().partition(" ")
            if not records or field not in records[0] or direction.upper() not in ("", "ASC", "DESC"):
                return validation_error(f"order {order!r} must be a top-level field name, then ASC or DESC")
            records = sorted(records, key=lambda r: str(r.get(field, "")), reverse=direction.upper() == "DESC")
        page_text = request.param("page")
        if page_text is None or name not in _PAGED:
            return self._envelope(key, records)
        size_text = request.param("pageSize") or str(DEFAULT_PAGE_SIZE)
        if not (page_text.isdigit() and int(page_text) >= 1 and size_text.isdigit() and 1 <= int(size_text)):
            return validation_error("page must be a whole number from 1, pageSize a whole number from 1")
        page, size = int(page_text), min(int(size_text), MAX_PAGE_SIZE)
        pagination = {"page": page, "pageSize": size, "pageCount": -(-len(records) // size), "itemCount": len(records)}
        return self._envelope(key, records[(page - 1) * size : page * size], pagination=pagination)

    def _forward(self, request: Request, resource_path: str, tenant_id: str) -> Response:
        if not self.upstream:
            return problem(
                404,
                f"the sandbox has no data for {request.method} {resource_path or '/'} "
                "(start it with --accounting-upstream URL to forward other calls)",
            )
        url = self.upstream + resource_path + (f"?{request.raw_query}" if request.raw_query else "")
        headers = {k: v for k, v in request.headers.items() if k in _FORWARDED_HEADERS}
        headers["xero-tenant-id"] = tenant_id
        try:
            answer = self._pool.request(request.method, url, body=request.body or None, headers=headers, redirect=False)
        except urllib3.exceptions.HTTPError as failure:
            return problem(502, f"accounting upstream unreachable: {type(failure).__name__}")
        passed = {k: v for k, v in answer.headers.items() if k.lower() == "content-type"}
        return Response(answer.status, answer.data, passed, note="forwarded")
