"""What Ledgerflow's accounting API serves, and why it refuses the rest.

The data is generated from the vendor's spec delta into :mod:`ledgerflow_xero._surface_table`
(``python scripts/generate_surface.py``); this module turns it into :class:`Operation` records,
matches requests against them (:func:`match`) and refuses unserved ones before any I/O
(:func:`refuse_unserved`). It is the one place the service's surface is known.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Dict, List, Mapping, MutableMapping, NamedTuple, Tuple

from . import _surface_table as table
from .errors import MalformedResponseError, RoutingError, UnsupportedOperationError


class Operation(NamedTuple):
    """One operation of Xero's accounting API, served by Ledgerflow or not (immutable, compared
    by value; a NamedTuple rather than a dataclass, which costs ~1 ms more of every import)."""

    http_method: str  # "GET"
    path_template: str  # "/Invoices/{InvoiceID}", relative to /api.xro/2.0
    operation_id: str  # "getInvoice" (the spec's operationId)
    sdk_method: str  # "get_invoice" (xero-python's AccountingApi method name)
    served: bool
    reason: str | None  # None when served; else "write" | "sub-resource" | "resource"


REASONS: Dict[str, str] = {
    "write": "its accounting API is read-only",
    "sub-resource": "it serves the record but not this part of it "
    "(attachments, history, allocations, emails, online invoice, tracking options, CIS settings)",
    "resource": "it does not serve this resource at all",
}
"""Why a removed operation is refused, by :attr:`Operation.reason`."""

SHORT_REASONS: Dict[str, str] = {"write": "read-only", "sub-resource": "sub-resource", "resource": "resource"}
"""One-word forms of :data:`REASONS`, for ``ledgerflow-xero check`` lines."""

UNKNOWN = "unknown"
"""The ``reason`` of a refusal for a path Xero's accounting spec does not have at all."""

ALL: Tuple[Operation, ...] = tuple(Operation(m, p, o, s, r is None, r) for m, p, o, s, r in table.OPERATIONS)
"""Every operation of Xero's accounting API."""
SERVED: Tuple[Operation, ...] = tuple(op for op in ALL if op.served)
"""The operations of Xero's accounting API that Ledgerflow serves (38 GETs)."""
REMOVED: Tuple[Operation, ...] = tuple(op for op in ALL if not op.served)
"""Every other operation of Xero's accounting API, with its :attr:`~Operation.reason`."""
ADDED: Tuple[Operation, ...] = tuple(Operation(m, p, o, s, True, None) for m, p, o, s, _ in table.ADDED)
"""Operations the delta copies in from Xero's identity spec (``/Connections``): xero-python
reaches them through ``IdentityApi``; Ledgerflow also answers them below ``/api.xro/2.0``."""


# A concrete path wins over a template (OpenAPI's rule), so concrete paths are looked up first:
# (METHOD, lower-case path) -> operation.
_CONCRETE: Dict[Tuple[str, str], Operation] = {}
# (METHOD, number of segments, lower-case first segment) -> the templates of that shape, each with
# the (index, lower-case text) of its literal segments after the first.
_TEMPLATES: Dict[Tuple[str, int, str], List[Tuple[Tuple[Tuple[int, str], ...], Operation]]] = {}
for _operation in ALL + ADDED:
    _path = _operation.path_template.lower()
    if "{" not in _path:
        _CONCRETE.setdefault((_operation.http_method, _path), _operation)
        continue
    _parts = _path.split("/")
    _literals = tuple((i, part) for i, part in enumerate(_parts) if i > 1 and not part.startswith("{"))
    _TEMPLATES.setdefault((_operation.http_method, len(_parts), _parts[1]), []).append((_literals, _operation))


def match(http_method: str, path: str) -> Operation | None:
    """The operation a request reaches, served or removed; None when Xero's spec has none.

    ``path`` is relative to ``/api.xro/2.0``, without the query string; letter case is
    ignored. A concrete path beats a template (OpenAPI's rule): ``/Reports/BudgetSummary``
    is the removed report, not the served ``/Reports/{ReportID}``.
    """
    method, path = http_method.upper(), path.lower()
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    found = _CONCRETE.get((method, path))
    if found is not None:
        return found
    parts = path.split("/")
    for literals, operation in _TEMPLATES.get((method, len(parts), parts[1] if len(parts) > 1 else ""), ()):
        if not literals or all(parts[index] == literal for index, literal in literals):
            return operation
    return None


def refuse_unserved(
    http_method: str, routed_url: str, accounting_prefix: str, accept: str | None = None
) -> None:
    """Raise :class:`~ledgerflow_xero.UnsupportedOperationError` when ``routed_url`` is an
    accounting request Ledgerflow does not serve; return quietly otherwise.

    ``accounting_prefix`` is the routed URL of ``/api.xro/2.0`` (``Router.url_for("accounting")``);
    URLs outside it (identity, tokens) pass. Inside it a request passes when it reaches a
    served operation — ``GET /Invoices/{InvoiceID}`` with ``Accept: application/pdf``
    (``get_invoice_as_pdf``) included — or ``/Connections``, which the delta adds. Anything
    else is refused: a removed operation with its reason, and a path Xero's accounting spec does
    not have at all with reason ``"unknown"`` (fail closed: Ledgerflow's spec is cut from Xero's,
    so it cannot serve it either).
    """
    path = unserved_path(http_method, routed_url, accounting_prefix)
    if path is not None:
        raise refusal(http_method, path, match(http_method, path), accept)


@functools.lru_cache(maxsize=1024)
def unserved_path(http_method: str, routed_url: str, accounting_prefix: str) -> str | None:
    """The accounting path (relative to ``/api.xro/2.0``) of a request Ledgerflow does not
    serve, or None when the request passes (see :func:`refuse_unserved`). Cached: the same few
    requests come back all the time."""
    if not routed_url.startswith(accounting_prefix):
        return None
    path = routed_url[len(accounting_prefix) :].partition("?")[0].partition("#")[0]
    if path[:1] != "/":
        if path:
            return None  # a longer first segment (/api.xro/2.0x): not the accounting API
        path = "/"
    operation = match(http_method, path)
    return None if operation is not None and operation.served else path


def refusal(
    http_method: str, path: str, operation: Operation | None, accept: str | None = None
) -> UnsupportedOperationError:
    """The error for a request that reached ``operation`` (a removed one, or None for no operation)."""
    method = http_method.upper()
    if operation is None:
        shown = path if len(path) <= 100 else path[:100] + "…"
        return UnsupportedOperationError(
            f"Ledgerflow does not serve {method} {shown}: it is not an operation of Xero's accounting API "
            f"{table.SPEC_VERSION}, which Ledgerflow's is cut from. "
            "Pass allow_unserved_operations=True to send it anyway.",
            operation=None,
            http_method=method,
            path_template=path,
            reason=UNKNOWN,
        )
    name = sdk_name_for(operation, accept)
    reason = operation.reason or UNKNOWN
    return UnsupportedOperationError(
        f"Ledgerflow does not serve {name} ({method} {operation.path_template}): {REASONS.get(reason, reason)}. "
        "Pass allow_unserved_operations=True to send it anyway.",
        operation=name,
        http_method=method,
        path_template=operation.path_template,
        reason=reason,
    )


# --------------------------------------------------------------------------- the client's hook
XERO_TENANT_HEADER = "xero-tenant-id"
LEDGERSCOPE_TENANT_HEADER = "ledgerscope-tenant-id"
"""The delta renames Xero's required tenant header; a routed client sends both (same value)."""

PDF = "application/pdf"


class ContractOptions:
    """How a routed client applies the contract: ``allow_unserved_operations`` sends what
    Ledgerflow does not serve instead of refusing it; ``ledgerscope_tenant_header`` copies
    ``xero-tenant-id`` into ``ledgerscope-tenant-id``."""

    __slots__ = ("allow_unserved_operations", "ledgerscope_tenant_header")

    def __init__(self, allow_unserved_operations: bool = False, ledgerscope_tenant_header: bool = True) -> None:
        for name, value in (("allow_unserved_operations", allow_unserved_operations),
                            ("ledgerscope_tenant_header", ledgerscope_tenant_header)):
            if not isinstance(value, bool):
                raise RoutingError(f"{name} must be True or False, not {repr(value)[:100]}")
        self.allow_unserved_operations = allow_unserved_operations
        self.ledgerscope_tenant_header = ledgerscope_tenant_header

    def __repr__(self) -> str:
        return (f"ContractOptions(allow_unserved_operations={self.allow_unserved_operations}, "
                f"ledgerscope_tenant_header={self.ledgerscope_tenant_header})")


DEFAULT_CONTRACT = ContractOptions()


def before_request(
    options: ContractOptions,
    http_method: str,
    routed_url: str,
    accounting_prefix: str,
    headers: MutableMapping[str, Any] | None,
    send_request: Callable[..., Any],
) -> Callable[..., Any]:
    """Apply the contract to one routed request, before any I/O: refuse an unserved accounting
    operation, add ``ledgerscope-tenant-id``, and for a PDF request return ``send_request``
    wrapped so that an answer that is not a PDF raises instead of being saved as one."""
    accept = headers.get("Accept") if headers else None
    if not options.allow_unserved_operations:
        refuse_unserved(http_method, routed_url, accounting_prefix, accept)
    if headers and options.ledgerscope_tenant_header and XERO_TENANT_HEADER in headers:
        headers.setdefault(LEDGERSCOPE_TENANT_HEADER, headers[XERO_TENANT_HEADER])
    if accept and PDF in accept:
        return _pdf_checked(send_request, routed_url)
    return send_request


def _pdf_checked(send_request: Callable[..., Any], url: str) -> Callable[..., Any]:
    def send(*args: Any, **kwargs: Any) -> Any:
        response = send_request(*args, **kwargs)
        check_pdf_answer(response, url)
        return response

    return send


def check_pdf_answer(response: Any, url: str) -> None:
    """Raise :class:`~ledgerflow_xero.MalformedResponseError` when the answer to a PDF request
    is not a PDF (a JSON error body, a proxy's HTML page), rather than let xero-python save it
    to a ``.pdf`` file. A PDF is ``Content-Type: application/pdf``, or a body starting ``%PDF-``
    when the answer has no content type."""
    content_type = _header(response, "Content-Type")
    if content_type is not None and PDF in content_type.lower():
        return
    # xero-python's RESTResponse holds the body it read; a raw urllib3 response
    # (_preload_content=False) has a reading property instead, which must not be touched here.
    data = vars(response).get("data") if hasattr(response, "__dict__") else None
    if content_type is None and isinstance(data, bytes) and data.startswith(b"%PDF-"):
        return
    status = getattr(response, "status", "?")
    start = data[:60] if isinstance(data, bytes) else b""
    raise MalformedResponseError(
        f"asked Ledgerflow for a PDF ({url.split('?', 1)[0]}) and got HTTP {status} with "
        f"{content_type or 'no content type'} instead, starting {start!r}"
    )


def _header(response: Any, name: str) -> str | None:
    getheader = getattr(response, "getheader", None)
    if getheader is not None:
        value = getheader(name)
        return None if value is None else str(value)
    headers: Mapping[str, str] = getattr(response, "headers", None) or {}
    return headers.get(name)


# --------------------------------------------------------------------------- xero-python's methods
_SHAPE_NAMES: Dict[Tuple[str, str, bool], List[str]] = {}


def _shape(path_template: str) -> str:
    return "/".join("{}" if segment.startswith("{") else segment.lower() for segment in path_template.split("/"))


def sdk_name_for(operation: Operation, accept: str | None = None) -> str:
    """The xero-python method that sends a request reaching ``operation``: its name when only
    one method can have sent it, else the resource (``get_invoice_attachment_by_id`` and
    ``..._by_file_name`` send the same shape of path; PDFs differ by ``accept``)."""
    if not _SHAPE_NAMES:
        for sdk_method, method, path, sdk_accept in table.SDK_REQUESTS:
            key = (method, _shape(path), "application/pdf" in sdk_accept)
            _SHAPE_NAMES.setdefault(key, []).append(sdk_method)
    pdf = bool(accept) and "application/pdf" in str(accept)
    names = _SHAPE_NAMES.get((operation.http_method, _shape(operation.path_template), pdf), [])
    if len(names) == 1:
        return names[0]
    return "/".join(s for s in operation.path_template.strip("/").split("/") if not s.startswith("{"))


def sdk_operation(sdk_method: str) -> Operation | None:
    """The operation xero-python's ``AccountingApi.<sdk_method>`` reaches (by the request it
    sends: ``get_invoice_as_pdf`` reaches the served ``getInvoice``), or None for a name
    ``AccountingApi`` does not have."""
    for name, method, path, _ in table.SDK_REQUESTS:
        if name == sdk_method:
            exact = [op for op in ALL if op.http_method == method and op.path_template == path]
            return exact[0] if exact else match(method, path)
    return None


def sdk_methods() -> Tuple[str, ...]:
    """Every request method of ``AccountingApi`` the table was generated from."""
    return tuple(name for name, _, _, _ in table.SDK_REQUESTS)


__all__ = [
    "ADDED",
    "ALL",
    "DEFAULT_CONTRACT",
    "ContractOptions",
    "before_request",
    "check_pdf_answer",
    "REASONS",
    "REMOVED",
    "SERVED",
    "SHORT_REASONS",
    "UNKNOWN",
    "Operation",
    "match",
    "refusal",
    "refuse_unserved",
    "sdk_methods",
    "sdk_name_for",
    "sdk_operation",
]
