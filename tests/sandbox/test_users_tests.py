"""What users get for their own tests: the three-line signed-in client, consent denial, gzip answers,
and a pytest plugin that does not import xero-python when pytest starts."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from importlib.metadata import entry_points

import pytest
from xero_python.accounting import AccountingApi
from xero_python.identity import IdentityApi

from ledgerflow_xero import SandboxConfigError, Source, authorization_url
from ledgerflow_xero.sandbox.cli import _scale


def test_a_users_test_is_three_lines(ledgerflow_sandbox):
    client, tenant_id = ledgerflow_sandbox.api_client(1004)
    organisation = AccountingApi(client).get_organisations(tenant_id).organisations[0]
    assert organisation.name == ledgerflow_sandbox.books(1004).name and organisation.organisation_id == tenant_id


def test_the_signed_in_client_refreshes_into_its_own_store(ledgerflow_sandbox):
    client, tenant_id = ledgerflow_sandbox.api_client(1009)
    before = client.token_store.get()["refresh_token"]
    client.refresh_oauth2_token()
    assert client.token_store.get()["refresh_token"] != before and len(client.token_store.saved) == 1
    assert [c.tenant_id for c in IdentityApi(client).get_connections()] == [tenant_id]


def test_consent_can_be_made_to_fail_with_access_denied(ledgerflow_sandbox, http):
    ledgerflow_sandbox.deny_consent = True
    login = authorization_url(ledgerflow_sandbox.client_id, ledgerflow_sandbox.redirect_uri, "openid offline_access",
                              source=1004, host=ledgerflow_sandbox.base_url)
    consent = http.request("GET", login.url, redirect=False)
    location = consent.headers["Location"]
    assert consent.status == 302 and location.startswith(ledgerflow_sandbox.redirect_uri + "?")
    assert "error=access_denied" in location and f"state={login.state}" in location and "code=" not in location
    with pytest.raises(SandboxConfigError, match="access_denied"):
        ledgerflow_sandbox.api_client(1004)
    ledgerflow_sandbox.deny_consent = False
    assert ledgerflow_sandbox.api_client(1004)[1] == ledgerflow_sandbox.books(1004).tenant_id


@pytest.mark.parametrize("accept_encoding, gzipped", [("gzip", True), ("br, gzip;q=0.5", True), ("gzip;q=0", False),
                                                       ("identity", False), (None, False)])
def test_answers_are_gzipped_when_the_request_accepts_it(raw, accept_encoding, gzipped):
    headers = {"ledgerscope-tenant-id": "demo"}
    if accept_encoding:
        headers["Accept-Encoding"] = accept_encoding
    answer = raw.http.request("GET", raw.url(1004, "accounting") + "/Invoices", headers=headers,
                              decode_content=False)
    assert answer.status == 200
    assert (answer.headers.get("Content-Encoding") == "gzip") is gzipped
    body = gzip.decompress(answer.data) if gzipped else answer.data
    assert int(answer.headers["Content-Length"]) == len(answer.data)
    assert json.loads(body)["Invoices"]
    if gzipped:
        assert len(answer.data) < len(body) / 3 and answer.headers["Vary"] == "Accept-Encoding"


@pytest.mark.parametrize("text", ["0", "-1", "abc", "1001"])
def test_scale_must_be_a_sensible_whole_number(text):
    with pytest.raises(Exception, match="--scale must be a whole number"):
        _scale(text)


def test_loading_the_pytest_plugin_does_not_import_xero_python():
    plugins = [e for e in entry_points(group="pytest11") if e.name == "ledgerflow_sandbox"] if sys.version_info >= (
        3, 10) else [e for e in entry_points()["pytest11"] if e.name == "ledgerflow_sandbox"]
    assert {e.value for e in plugins} == {"ledgerflow_xero_pytest"}  # Python 3.9 may list a dist twice
    trace = subprocess.run([sys.executable, "-X", "importtime", "-c", "import ledgerflow_xero_pytest"],
                           capture_output=True, text=True, check=True).stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in trace.splitlines() if "|" in line]
    assert "ledgerflow_xero_pytest" in imported
    assert not [name for name in imported if name.startswith(("xero_python", "ledgerflow_xero.", "jwt", "urllib3"))]


def test_paging_through_a_scaled_ledger_of_10000_invoices(http):
    from ledgerflow_xero.sandbox import running_sandbox

    with running_sandbox(seed=5, scale=10, sources=[Source.QUICKBOOKS_ONLINE]) as sandbox:  # build only one
        client, tenant_id = sandbox.api_client(1004)
        # The first page through xero-python; the rest as raw JSON (deserialising 10,000 invoices into
        # xero-python's models would take seconds and prove nothing more about the sandbox's paging).
        first = AccountingApi(client).get_invoices(tenant_id, page=1, page_size=1000)
        total = first.pagination.item_count
        assert total >= 10_000 and first.pagination.page_count == -(-total // 1000)
        headers = {"Authorization": f"Bearer {client.token_store.get()['access_token']}", "xero-tenant-id": tenant_id}
        seen = {i.invoice_id for i in first.invoices}
        for page in range(2, first.pagination.page_count + 1):
            answer = json.loads(http.request("GET", sandbox.router(1004).url_for("accounting") + "/Invoices",
                                             fields={"page": page, "pageSize": 1000}, headers=headers).data)
            assert answer["pagination"]["page"] == page
            seen |= {i["InvoiceID"] for i in answer["Invoices"]}
        assert len(seen) == total == len(sandbox.books(1004).collections["Invoices"])
