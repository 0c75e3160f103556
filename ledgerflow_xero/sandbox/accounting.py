"""The accounting API of the sandbox: served operations from the books, refusals by name, PDFs, forwarding.

Every request below ``/{source}/api.xro/2.0`` is matched against the operation table
(:func:`ledgerflow_xero.surface.match`, the one place Ledgerflow's surface is known):

- a served operation is answered by the source's books (:meth:`Books.answer`), or as a PDF of
  the record when an invoice or credit note is asked for with ``Accept: application/pdf``;
- a removed operation (writes, removed resources and sub-resources) is refused with a
  Xero-shaped error naming the operation and why Ledgerflow does not serve it — or, only when
  the sandbox runs with ``forward_unserved`` and an ``--accounting-upstream``, forwarded there
  (a spec mock such as Prism) with a placeholder bearer, never the caller's token;
- the tenant ``demo`` (the vendor spec's sample dataset) is answered without authentication.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections import OrderedDict
from typing import Any, Callable, Dict, Mapping, Protocol, Sequence, Tuple

import urllib3

from .. import surface
from ..errors import SandboxConfigError
from ..routing import is_xero_host, read_url
from .authority import Authority, TokenRefused
from .books.ledger import ms
from .identity import bearer_token, unauthorized
from .pdf import render_document
from .wire import Request, Response, json_response, problem

TENANT_HEADERS = ("xero-tenant-id", "ledgerscope-tenant-id")  # Xero's name, and the vendor's delta spec
DEMO_TENANT_ID = "demo"
PLACEHOLDER_BEARER = "ledgerflow-sandbox-forwarded"
"""What forwarded calls carry as their bearer: a spec mock's security check wants one; the
caller's own token never leaves the sandbox."""
_FORWARDED_HEADERS = ("accept", "content-type", "contenttype", "if-modified-since", "idempotency-key")
_PDF_OPERATIONS = {"getInvoice", "getCreditNote"}
ANSWER_CACHE_SIZE = 64
# Answers are trees of plain values (no cycles), so the encoder may skip its cycle check: ~20 % faster.
_ENCODE = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
_FRESH_PER_ANSWER = ("Id", "DateTimeUTC")  # the envelope fields Xero sets anew on every answer


class _AnswerCache:
    """Encoded 200 answers by (books, operation, path, query, If-Modified-Since), least recently used out.

    The books never change once built, so :meth:`Books.answer` is a pure function of those inputs;
    encoding a 100-record page as JSON costs milliseconds, most of the sandbox's time per request.
    Each answer still gets a fresh envelope ``Id`` and ``DateTimeUTC``, as Xero's do.
    """

    def __init__(self, size: int = ANSWER_CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[Tuple[Any, ...], Tuple[bytes, Tuple[str, ...]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Tuple[Any, ...]) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
        inner, fresh = entry
        values = {"Id": str(uuid.uuid4()), "DateTimeUTC": ms(dt.datetime.now(dt.timezone.utc))}
        parts = [f'"{name}":"{values[name]}"'.encode() for name in fresh] + ([inner] if inner else [])
        return b"{" + b",".join(parts) + b"}"

    def put(self, key: Tuple[Any, ...], payload: Dict[str, Any]) -> None:
        fresh = tuple(name for name in _FRESH_PER_ANSWER if name in payload)
        rest = {k: v for k, v in payload.items() if k not in fresh}
        encoded = _ENCODE(rest).encode()[1:-1]  # the members, without the braces
        with self._lock:
            self._entries[key] = (encoded, fresh)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


class Books(Protocol):
    """What the sandbox needs of one company's books (``ledgerflow_xero.sandbox.books.Books``)."""

    tenant_id: str
    name: str

    def answer(
        self,
        operation_id: str,
        path_params: Mapping[str, str],
        query: Mapping[str, Sequence[str]],
        headers: Mapping[str, str],
    ) -> Tuple[int, Dict[str, Any]]: ...

    def record(self, operation_id: str, path_params: Mapping[str, str]) -> Dict[str, Any] | None: ...


def validate_upstream(url: str) -> str:
    """Check ``--accounting-upstream``: an http(s) URL, never a Xero host (fail closed)."""
    if not url.startswith(("http://", "https://")) or is_xero_host(read_url(url).host):
        raise SandboxConfigError(f"accounting upstream {url!r} must be an http(s) URL that is not a Xero host")
    return url.rstrip("/")


def path_params(template: str, path: str) -> Dict[str, str]:
    """The ``{Name}`` segments of ``template`` read from the concrete ``path`` (same segment count)."""
    return {
        name[1:-1]: value
        for name, value in zip(template.strip("/").split("/"), path.strip("/").split("/"))
        if name.startswith("{")
    }


def _wants_pdf(request: Request) -> bool:
    return "application/pdf" in request.headers.get("accept", "").lower()


def refusal(operation: surface.Operation | None, method: str, path: str) -> Response:
    """The Xero-shaped answer to an operation Ledgerflow does not serve, naming it and why."""
    if operation is None:
        shown = path if len(path) <= 100 else path[:100] + "..."
        return problem(404, f"Ledgerflow serves no operation {method} {shown}: Xero's accounting API has none")
    name = surface.sdk_name_for(operation)
    reason = operation.reason or "resource"
    detail = (
        f"Ledgerflow does not serve {name} ({operation.http_method} {operation.path_template}): "
        f"{surface.REASONS.get(reason, reason)}"
    )
    if reason == "write":
        return problem(405, detail, Allow="GET")
    return problem(404, detail)


class Accounting:
    """Answers ``/{source}/api.xro/2.0/...`` for every source."""

    def __init__(
        self,
        authority: Authority,
        books: Mapping[int, Books],
        upstream: str | None = None,
        *,
        forward_unserved: bool = False,
        demo_books: Callable[[], Books] | None = None,
    ) -> None:
        if forward_unserved and not upstream:
            raise SandboxConfigError("forward_unserved needs an accounting upstream URL to forward to")
        self.authority = authority
        self.books = books
        self.upstream = validate_upstream(upstream) if upstream else None
        self.forward_unserved = forward_unserved
        self._demo_factory = demo_books
        self._demo: Books | None = None
        self._pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=5, read=30))
        self._answers = _AnswerCache()

    @property
    def demo(self) -> Books | None:
        """The ``demo`` tenant's books, built on first use."""
        if self._demo is None and self._demo_factory is not None:
            self._demo = self._demo_factory()
        return self._demo

    def handle(self, request: Request, source: int | None, resource_path: str) -> Response:
        path = resource_path or "/"
        method = "GET" if request.method == "HEAD" else request.method
        operation = surface.match(method, path)
        tenant_id = next((request.headers[h] for h in TENANT_HEADERS if request.headers.get(h)), None)
        if tenant_id == DEMO_TENANT_ID and self.demo is not None:
            books: Books = self.demo  # the sample dataset: no authentication, read-only, never forwarded
            if operation is None or not operation.served:
                return refusal(operation, method, path)
        else:
            token = bearer_token(request)
            if token is None:
                return unauthorized("AuthenticationUnsuccessful: no bearer token")
            try:
                access = self.authority.check_access_token(token, source)
            except TokenRefused as refused:
                return unauthorized(refused.detail)
            if tenant_id is None and access.grant.subject is None and len(access.tenant_ids) == 1:
                tenant_id = access.tenant_ids[0]  # a custom connection needs no tenant header, as on Xero
            if tenant_id is None:
                return problem(403, "AuthorizationUnsuccessful: missing ledgerscope-tenant-id (or xero-tenant-id)")
            if tenant_id not in access.tenant_ids:
                return problem(403, "AuthorizationUnsuccessful: tenant is not in this token's connections")
            if operation is None or not operation.served:
                if self.forward_unserved:
                    return self._forward(request, path, tenant_id)
                return refusal(operation, method, path)
            books = self.books[access.grant.source]
        response = self._answer(request, operation, path, books)
        response.note = f"tenant={tenant_id[:8]} {operation.operation_id} {response.note}".strip()
        return response

    def _answer(self, request: Request, operation: surface.Operation, path: str, books: Books) -> Response:
        params = path_params(operation.path_template, path)
        if _wants_pdf(request) and operation.operation_id in _PDF_OPERATIONS:
            record = books.record(operation.operation_id, params)
            if record is None:
                return problem(404, f"no record {next(iter(params.values()), '')} in this organisation")
            return Response(200, render_document(record, books.name), {"Content-Type": "application/pdf"})
        key = (
            id(books),
            operation.operation_id,
            tuple(sorted(params.items())),
            tuple(sorted((name, tuple(values)) for name, values in request.query.items())),
            request.headers.get("if-modified-since"),
        )
        body = self._answers.get(key)
        if body is None:
            status, payload = books.answer(operation.operation_id, params, request.query, request.headers)
            if status != 200:
                return json_response(status, payload)
            self._answers.put(key, payload)
            body = self._answers.get(key)
            assert body is not None
        return Response(200, body, {"Content-Type": "application/json; charset=utf-8"})

    def _forward(self, request: Request, path: str, tenant_id: str) -> Response:
        assert self.upstream is not None
        url = self.upstream + path + (f"?{request.raw_query}" if request.raw_query else "")
        headers = {k: v for k, v in request.headers.items() if k in _FORWARDED_HEADERS}
        headers["xero-tenant-id"] = tenant_id
        headers["authorization"] = f"Bearer {PLACEHOLDER_BEARER}"
        try:
            answer = self._pool.request(request.method, url, body=request.body or None, headers=headers, redirect=False)
        except urllib3.exceptions.HTTPError as failure:
            return problem(502, f"accounting upstream unreachable: {type(failure).__name__}")
        passed = {k: v for k, v in answer.headers.items() if k.lower() == "content-type"}
        return Response(answer.status, answer.data, passed, note="forwarded")

