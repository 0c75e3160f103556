"""What the sandbox serves and refuses, decided by the operation table (ledgerflow_xero.surface):
every removed operation refused by name, invoices as PDFs, both tenant headers, the `demo` tenant."""

from __future__ import annotations

import re

import pytest
from xero_python.accounting import AccountingApi

from ledgerflow_xero import surface
from ledgerflow_xero.sandbox.accounting import path_params

from .test_journey import api_client_for, sign_in
from .test_pdf import check_structure

QBO = 1004


def concrete(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000000", template)


def test_every_removed_operation_is_refused_by_name_with_its_reason(raw):
    tokens = raw.tokens(QBO)
    tenant_id = raw.sandbox.books(QBO).tenant_id
    assert len(surface.REMOVED) > 150
    for removed in surface.REMOVED:
        path = concrete(removed.path_template)
        # Templates of one shape (/Attachments/{AttachmentID} and /{FileName}) reach the table's first.
        operation = surface.match(removed.http_method, path)
        assert operation is not None and not operation.served and operation.reason == removed.reason
        answer = raw.api(QBO, path, tokens["access_token"], tenant_id, method=operation.http_method)
        expected = 405 if operation.reason == "write" else 404
        assert answer.status == expected, (operation, answer.body)
        detail = answer.json["Detail"]
        assert f"({operation.http_method} {operation.path_template})" in detail, detail
        assert surface.REASONS[operation.reason] in detail
        assert surface.sdk_name_for(operation) in detail


@pytest.mark.parametrize("path, name", [
    ("/Items", "get_items"),
    ("/Reports/BudgetSummary", "get_report_budget_summary"),
    ("/Invoices/x/Attachments", "get_invoice_attachments"),
])
def test_removed_reads_are_refused_even_where_a_template_or_old_data_would_answer(raw, path, name):
    answer = raw.api(QBO, path, raw.tokens(QBO)["access_token"], raw.sandbox.books(QBO).tenant_id)
    assert answer.status == 404 and name in answer.json["Detail"]


def test_a_path_xero_does_not_have_is_a_404_saying_so(raw):
    answer = raw.api(QBO, "/NoSuchThing", raw.tokens(QBO)["access_token"], raw.sandbox.books(QBO).tenant_id)
    assert answer.status == 404 and "GET /NoSuchThing" in answer.json["Detail"]


def test_refusals_come_after_authentication(raw):
    assert raw.api(QBO, "/Items", None, raw.sandbox.books(QBO).tenant_id).status == 401


def test_path_params_are_read_from_the_template():
    assert path_params("/Invoices/{InvoiceID}", "/Invoices/abc") == {"InvoiceID": "abc"}
    assert path_params("/Reports/{ReportID}", "/reports/R1/") == {"ReportID": "R1"}
    assert path_params("/Organisation", "/Organisation") == {}


def test_the_ledgerscope_tenant_header_is_accepted_like_xeros(raw):
    tokens = raw.tokens(QBO)
    books = raw.sandbox.books(QBO)
    headers = {"Authorization": f"Bearer {tokens['access_token']}", "ledgerscope-tenant-id": books.tenant_id}
    answer = raw.send("GET", raw.url(QBO, "accounting") + "/Organisation", headers=headers)
    assert answer.status == 200 and answer.json["Organisations"][0]["OrganisationID"] == books.tenant_id
    missing = raw.send("GET", raw.url(QBO, "accounting") + "/Organisation",
                       headers={"Authorization": headers["Authorization"]})
    assert missing.status == 403 and "ledgerscope-tenant-id" in missing.json["Detail"]


@pytest.mark.parametrize("source", [1001, 1004, 1009])
def test_get_invoice_as_pdf_answers_a_real_pdf_of_the_invoice(sandbox, http, source):
    client = api_client_for(sandbox, source, sign_in(sandbox, http, source))
    books = sandbox.books(source)
    accounting = AccountingApi(client)
    invoice = accounting.get_invoices(books.tenant_id, page=1).invoices[0]
    path = accounting.get_invoice_as_pdf(books.tenant_id, invoice.invoice_id)  # xero-python writes a temp file
    with open(path, "rb") as document:
        content = document.read()
    assert content.startswith(b"%PDF-")
    check_structure(content)
    escaped = books.name.replace("(", "\\(").replace(")", "\\)")  # as a PDF string literal
    assert f"{invoice.invoice_number}".encode() in content and escaped.encode() in content
    note = accounting.get_credit_notes(books.tenant_id, page=1).credit_notes[0]
    with open(accounting.get_credit_note_as_pdf(books.tenant_id, note.credit_note_id), "rb") as document:
        content = document.read()
    check_structure(content)
    assert note.credit_note_number.encode() in content


def test_the_demo_tenant_answers_without_authentication_and_only_reads(raw):
    url = raw.url(QBO, "accounting")
    organisation = raw.send("GET", url + "/Organisation", headers={"ledgerscope-tenant-id": "demo"})
    assert organisation.status == 200
    demo_name = organisation.json["Organisations"][0]["Name"]
    with_xeros_header = raw.send("GET", url + "/Organisation", headers={"xero-tenant-id": "demo"})
    assert with_xeros_header.json["Organisations"][0]["Name"] == demo_name
    invoices = raw.send("GET", url + "/Invoices", headers={"ledgerscope-tenant-id": "demo"})
    assert invoices.status == 200 and invoices.json["Invoices"]
    write = raw.send("PUT", url + "/Invoices", headers={"ledgerscope-tenant-id": "demo"}, body=b"{}")
    assert write.status == 405 and "read-only" in write.json["Detail"]
    # Every source path reaches the same sample company, unlike the sources' own tenants.
    other = raw.send("GET", raw.url(1009, "accounting") + "/Organisation", headers={"ledgerscope-tenant-id": "demo"})
    assert other.json["Organisations"][0]["Name"] == demo_name
    assert demo_name not in {raw.sandbox.books(s).name for s in (1001, 1004, 1009)}
    # Without the demo tenant, the same request needs a token.
    own = raw.send("GET", url + "/Organisation", headers={"ledgerscope-tenant-id": raw.sandbox.books(QBO).tenant_id})
    assert own.status == 401


def test_a_repeated_request_gets_the_same_records_in_a_fresh_envelope(raw):
    tokens = raw.tokens(QBO)
    tenant_id = raw.sandbox.books(QBO).tenant_id
    first, again = (raw.api(QBO, "/Invoices?page=2", tokens["access_token"], tenant_id).json for _ in range(2))
    assert first["Invoices"] == again["Invoices"] and first["pagination"] == again["pagination"]
    assert first["Id"] != again["Id"] and again["DateTimeUTC"].startswith("/Date(")
    other_page = raw.api(QBO, "/Invoices?page=3", tokens["access_token"], tenant_id).json
    assert other_page["Invoices"] != first["Invoices"]  # the query is part of what is remembered
    since = raw.send("GET", raw.url(QBO, "accounting") + "/Invoices?page=2", headers={
        "Authorization": f"Bearer {tokens['access_token']}", "xero-tenant-id": tenant_id,
        "If-Modified-Since": "2099-01-01T00:00:00"}).json
    assert since["Invoices"] == []  # and so is If-Modified-Since


def test_connections_are_answered_below_the_accounting_path_too(raw):
    tokens = raw.tokens(QBO)
    answer = raw.api(QBO, "/Connections", tokens["access_token"])
    assert answer.status == 200 and [c["tenantId"] for c in answer.json] == [raw.sandbox.books(QBO).tenant_id]
    assert surface.match("GET", "/Connections") in surface.ADDED
