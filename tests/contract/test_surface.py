"""The operation table, the matcher, the refusal error, and the routed client's contract hooks."""

from __future__ import annotations

import pickle
from collections import Counter

import pytest
from xero_python.accounting import AccountingApi
from xero_python.identity import IdentityApi

import ledgerflow_xero
from ledgerflow_xero import (
    ApiClient,
    Configuration,
    LedgerflowError,
    MalformedResponseError,
    RoutingError,
    UnsupportedOperationError,
    surface,
)

from ..support import LoopbackServer
from .conftest import SocketSpy, header, oauth2_token, plain_configuration, token_set

ID = "00000000-0000-4000-8000-0000000000b2"


def test_the_table_holds_38_served_gets_and_every_removed_operation_with_its_reason() -> None:
    assert len(surface.SERVED) == 38 and all(op.served and op.reason is None for op in surface.SERVED)
    assert all(not op.served and op.reason in surface.REASONS for op in surface.REMOVED)
    assert Counter(op.reason for op in surface.REMOVED) == {"write": 99, "sub-resource": 43, "resource": 55}
    assert set(surface.REASONS) == {"write", "sub-resource", "resource"}
    assert {(op.http_method, op.path_template) for op in surface.ADDED} == {
        ("GET", "/Connections"), ("DELETE", "/Connections/{id}")}


@pytest.mark.parametrize(
    ("method", "path", "operation_id", "served"),
    [
        ("GET", "/Invoices", "getInvoices", True),
        ("get", "/invoices/", "getInvoices", True),  # method and path case, trailing slash
        ("GET", f"/Invoices/{ID}", "getInvoice", True),
        ("PUT", "/Invoices", "createInvoices", False),
        ("GET", "/Reports/BalanceSheet", "getReportBalanceSheet", True),
        ("GET", f"/Reports/{ID}", "getReportFromId", True),
        # concrete beats template: removed by name although /Reports/{ReportID} is served
        ("GET", "/Reports/BudgetSummary", "getReportBudgetSummary", False),
        ("GET", "/Reports/TenNinetyNine", "getReportTenNinetyNine", False),
        ("GET", f"/Invoices/{ID}/History", "getInvoiceHistory", False),
        ("GET", "/Items", "getItems", False),
        ("GET", "/Connections", "getConnections", True),
    ],
)
def test_match(method: str, path: str, operation_id: str, served: bool) -> None:
    operation = surface.match(method, path)
    assert operation is not None and (operation.operation_id, operation.served) == (operation_id, served)


@pytest.mark.parametrize("path", ["/Nothing", "/", "", f"/Invoices/{ID}/Nothing", f"/Invoices/{ID}/History/x"])
def test_match_is_none_for_paths_the_spec_does_not_have(path: str) -> None:
    assert surface.match("GET", path) is None


def test_removed_operations_say_why() -> None:
    reasons = {op.operation_id: op.reason for op in surface.REMOVED}
    assert reasons["createInvoices"] == "write"
    assert reasons["getInvoiceAttachments"] == "sub-resource"
    assert reasons["getInvoiceAsPdf"] == "sub-resource"  # the spec's /pdf path; xero-python never sends it
    assert reasons["getQuotes"] == reasons["getQuoteHistory"] == reasons["getReportBudgetSummary"] == "resource"


def test_the_refusal_is_a_picklable_routing_error_naming_the_operation() -> None:
    url = "https://xero.api.ledgerscope.com/1004/api.xro/2.0"
    with pytest.raises(UnsupportedOperationError) as refused:
        surface.refuse_unserved("PUT", url + "/Invoices?summarizeErrors=true", url)
    error = refused.value
    assert isinstance(error, RoutingError) and isinstance(error, LedgerflowError)
    assert str(error).startswith(
        "Ledgerflow does not serve create_invoices (PUT /Invoices): its accounting API is read-only")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.operation, copy.http_method, copy.path_template, copy.reason, str(copy)) == (
        "create_invoices", "PUT", "/Invoices", "write", str(error))


def test_unknown_paths_are_refused_and_identity_urls_pass() -> None:
    prefix = "https://h.example/1004/api.xro/2.0"
    with pytest.raises(UnsupportedOperationError) as refused:
        surface.refuse_unserved("GET", prefix + "/Widgets", prefix)
    assert (refused.value.operation, refused.value.reason) == (None, surface.UNKNOWN)
    surface.refuse_unserved("POST", "https://h.example/1004/connect/token", prefix)
    surface.refuse_unserved("DELETE", "https://h.example/1004/connections/x", prefix)
    surface.refuse_unserved("GET", prefix + "/Connections", prefix)  # the delta adds it
    surface.refuse_unserved("GET", prefix + f"/Invoices/{ID}", prefix, "application/pdf")


def test_the_same_request_gets_the_same_answer_every_time() -> None:
    """The check remembers requests it has judged; a remembered refusal still raises, naming the
    operation the way this request's Accept header reaches it."""
    prefix = "https://h.example/1004/api.xro/2.0"
    for _ in range(3):
        surface.refuse_unserved("GET", prefix + f"/Invoices/{ID}", prefix, "application/json")
        with pytest.raises(UnsupportedOperationError, match="create_invoices"):
            surface.refuse_unserved("PUT", prefix + "/Invoices", prefix, "application/json")
        with pytest.raises(UnsupportedOperationError, match="get_invoice_attachments"):
            surface.refuse_unserved("GET", prefix + f"/Invoices/{ID}/Attachments", prefix, "application/json")


def test_pdf_requests_name_their_method() -> None:
    prefix = "https://h.example/api.xro/2.0"
    with pytest.raises(UnsupportedOperationError, match=r"get_quote_as_pdf \(GET /Quotes/\{QuoteID\}\)"):
        surface.refuse_unserved("GET", prefix + f"/Quotes/{ID}", prefix, "application/pdf")
    with pytest.raises(UnsupportedOperationError, match=r"serve get_quote \(GET"):
        surface.refuse_unserved("GET", prefix + f"/Quotes/{ID}", prefix, "application/json")


def routed(stand_in: LoopbackServer, **options: bool) -> ApiClient:
    configuration = Configuration(oauth2_token=oauth2_token(), source=1009, host=stand_in.base_url, **options)
    return ApiClient(configuration, pool_threads=1, oauth2_token_getter=token_set)


def test_allow_unserved_operations_sends_them(stand_in: LoopbackServer) -> None:
    before = len(stand_in.requests)
    AccountingApi(routed(stand_in, allow_unserved_operations=True)).get_items(ID)
    assert [(s.method, s.path) for s in stand_in.requests[before:]] == [("GET", "/1009/api.xro/2.0/Items")]


def test_patch_takes_the_same_option(stand_in: LoopbackServer, socket_spy: SocketSpy) -> None:
    from xero_python.api_client import ApiClient as XeroApiClient

    def plain() -> AccountingApi:
        return AccountingApi(XeroApiClient(plain_configuration(), pool_threads=1,
                                           oauth2_token_getter=token_set))

    try:
        ledgerflow_xero.patch(1001, stand_in.base_url)
        with pytest.raises(UnsupportedOperationError):
            plain().get_users(ID)
        assert socket_spy.calls == []
        ledgerflow_xero.patch(1001, stand_in.base_url, allow_unserved_operations=True)
        before = len(stand_in.requests)
        plain().get_users(ID)
        assert [s.path for s in stand_in.requests[before:]] == ["/1001/api.xro/2.0/Users"]
    finally:
        ledgerflow_xero.unpatch()


def test_the_tenant_header_is_sent_under_both_names_unless_turned_off(stand_in: LoopbackServer) -> None:
    before = len(stand_in.requests)
    AccountingApi(routed(stand_in)).get_organisations(ID)
    AccountingApi(routed(stand_in, ledgerscope_tenant_header=False)).get_organisations(ID)
    first, second = stand_in.requests[before:]
    assert (header(first, "xero-tenant-id"), header(first, "ledgerscope-tenant-id")) == (ID, ID)
    assert (header(second, "xero-tenant-id"), header(second, "ledgerscope-tenant-id")) == (ID, None)


def test_identity_calls_are_unaffected(stand_in: LoopbackServer) -> None:
    before = len(stand_in.requests)
    IdentityApi(routed(stand_in)).get_connections()
    assert [(s.method, s.path) for s in stand_in.requests[before:]] == [("GET", "/1009/connections")]


def test_a_non_pdf_answer_to_a_pdf_request_is_a_typed_error(stand_in: LoopbackServer) -> None:
    record = ("GET", f"/1009/api.xro/2.0/Invoices/{ID}")
    stand_in.answers[record] = (200, {"Id": "stand-in", "Status": "OK"})  # JSON, though a PDF was asked for
    try:
        with pytest.raises(MalformedResponseError, match=r"asked Ledgerflow for a PDF .*application/json"):
            AccountingApi(routed(stand_in)).get_invoice_as_pdf(ID, ID)
    finally:
        del stand_in.answers[record]


def _variants() -> list:
    paths = []
    for op in surface.SERVED + surface.REMOVED + surface.ADDED:
        concrete = "/".join(ID if part.startswith("{") else part for part in op.path_template.split("/"))
        for path in (concrete, concrete.lower(), concrete.upper(), concrete + "/", concrete + "#top",
                     concrete + "/extra", concrete.rpartition("/")[0] + "/BudgetSummary"):
            for method in (op.http_method, "GET", "get"):
                paths.append((method, path))
    return paths


def test_the_fast_path_of_the_check_agrees_with_match_everywhere() -> None:
    prefix = "https://h.example/1004/api.xro/2.0"
    disagreements = []
    for method, path in _variants():
        found = surface.match(method, path.partition("#")[0])
        try:
            surface.refuse_unserved(method, prefix + path + "?page=1", prefix)
            refused = False
        except UnsupportedOperationError:
            refused = True
        if refused == bool(found and found.served):
            disagreements.append((method, path))
    assert disagreements == []


def test_the_check_follows_the_accounting_prefix_without_the_source_segment(stand_in: LoopbackServer,
                                                                            socket_spy: SocketSpy) -> None:
    api = AccountingApi(routed(stand_in, source_in_accounting_path=False))
    with pytest.raises(UnsupportedOperationError, match="create_invoices"):
        api.create_invoices(ID, invoices=ID)
    assert socket_spy.calls == []
    before = len(stand_in.requests)
    api.get_invoices(ID)
    assert [s.path for s in stand_in.requests[before:]] == ["/api.xro/2.0/Invoices"]


def test_operations_compare_by_value_and_are_immutable() -> None:
    first = surface.match("GET", "/Invoices")
    assert first is not None and first == pickle.loads(pickle.dumps(first))
    assert hash(first) == hash(first._replace()) and first == first._replace()
    with pytest.raises(AttributeError):
        first.served = False  # type: ignore[misc]


@pytest.mark.parametrize("option", ["allow_unserved_operations", "ledgerscope_tenant_header"])
def test_the_options_take_booleans_only(option: str) -> None:
    with pytest.raises(RoutingError, match=f"{option} must be True or False, not 'yes'"):
        Configuration(source=1004, **{option: "yes"})  # type: ignore[arg-type]


def test_the_pdf_check_reads_headers_only_from_an_unread_response() -> None:
    class Streaming:  # a raw urllib3 response: reading .data would consume the body
        status = 200

        def getheader(self, name: str) -> str | None:
            return {"Content-Type": "application/json"}.get(name)

        @property
        def data(self) -> bytes:
            raise AssertionError("the body was read")

    with pytest.raises(MalformedResponseError, match="application/json"):
        surface.check_pdf_answer(Streaming(), "https://h.example/1004/api.xro/2.0/Invoices/x")
