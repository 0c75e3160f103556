"""The whole journey through the sandbox over real HTTP, for every source, with the public API only:
sign-in (authorize URL, consent redirect, code exchange, token validation), then xero-python's
unchanged IdentityApi and AccountingApi through ledgerflow_xero.ApiClient."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict
from urllib.parse import parse_qs, urlsplit

import pytest
from xero_python.accounting import AccountingApi
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.exceptions import HTTPStatusException
from xero_python.identity import IdentityApi

from ledgerflow_xero import (
    ApiClient,
    Configuration,
    Source,
    UnsupportedOperationError,
    authorization_url,
    exchange_code,
    validate_access_token,
    validate_id_token,
)
from ledgerflow_xero.sandbox.books.profiles import PROFILES

SCOPE = ["openid", "profile", "email", "offline_access", "accounting.transactions", "accounting.settings"]


def sign_in(sandbox, http, source) -> Dict[str, Any]:
    login = authorization_url(sandbox.client_id, sandbox.redirect_uri, SCOPE, source=source, host=sandbox.base_url,
                              nonce="n-0S6_WzA2Mj")
    consent = http.request("GET", login.url, redirect=False)
    assert consent.status == 302
    location = consent.headers["Location"]
    assert location.startswith(sandbox.redirect_uri + "?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    tokens = exchange_code(
        query["code"], client_id=sandbox.client_id, client_secret=sandbox.client_secret,
        redirect_uri=sandbox.redirect_uri, source=source, host=sandbox.base_url,
        code_verifier=login.code_verifier, expected_state=login.state, returned_state=query["state"],
    )
    claims = validate_id_token(tokens["id_token"], client_id=sandbox.client_id, source=source,
                               host=sandbox.base_url, nonce="n-0S6_WzA2Mj")
    assert claims["iss"] == f"{sandbox.base_url}/{int(source)}"
    assert claims["aud"] == sandbox.client_id
    assert claims["tenant_ids"] == [sandbox.organisation(source).tenant_id]
    return tokens


def api_client_for(sandbox, source, tokens) -> ApiClient:
    store = {"token": dict(tokens)}
    client = ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id=sandbox.client_id, client_secret=sandbox.client_secret),
                      source=source, host=sandbox.base_url),
        pool_threads=1,
        oauth2_token_getter=lambda: store["token"],
        oauth2_token_saver=lambda token: store.__setitem__("token", token),
    )
    client.token_store = store
    return client


@pytest.mark.parametrize("source", list(Source), ids=lambda s: str(int(s)))
def test_the_whole_journey_for_each_source(sandbox, http, source):
    tokens = sign_in(sandbox, http, source)
    access_claims = validate_access_token(tokens["access_token"], source=source, host=sandbox.base_url)
    assert access_claims["client_id"] == sandbox.client_id
    client = api_client_for(sandbox, source, tokens)

    connections = IdentityApi(client).get_connections()
    assert [(c.tenant_id, c.tenant_name, c.tenant_type) for c in connections] == [
        (sandbox.organisation(source).tenant_id, PROFILES[source].name, "ORGANISATION")]
    tenant_id = connections[0].tenant_id

    accounting = AccountingApi(client)
    organisation = accounting.get_organisations(tenant_id).organisations[0]
    assert organisation.name == PROFILES[source].name
    assert organisation.base_currency.value == PROFILES[source].currency
    assert organisation.organisation_id == tenant_id

    total = len(sandbox.books(source).collections["Invoices"])
    first = accounting.get_invoices(tenant_id, page=1)
    second = accounting.get_invoices(tenant_id, page=2)
    assert len(first.invoices) == 100
    assert len(second.invoices) == min(100, total - 100)
    assert first.pagination.item_count == total and first.pagination.page_count == -(-total // 100)
    assert not {i.invoice_id for i in first.invoices} & {i.invoice_id for i in second.invoices}
    assert isinstance(first.invoices[0].date, dt.date)
    assert first.invoices[0].total == first.invoices[0].sub_total + first.invoices[0].total_tax

    old_refresh_token = client.token_store["token"]["refresh_token"]
    client.refresh_oauth2_token()
    assert client.token_store["token"]["refresh_token"] not in (None, old_refresh_token)
    assert client.token_store["token"]["scope"] == SCOPE  # a list, not spaced-out characters
    assert accounting.get_organisations(tenant_id).organisations[0].name == PROFILES[source].name

    revoked_access_token = client.token_store["token"]["access_token"]
    client.revoke_oauth2_token()
    client.token_store["token"] = dict(tokens, access_token=revoked_access_token)
    with pytest.raises(HTTPStatusException) as refused:
        IdentityApi(client).get_connections()
    assert refused.value.status == 401


def test_the_three_organisations_are_distinct(sandbox):
    organisations = [sandbox.organisation(source) for source in Source]
    assert len({o.tenant_id for o in organisations}) == 3
    assert len({o.name for o in organisations}) == 3
    assert len({o.currency for o in organisations}) == 3


@pytest.mark.parametrize("source", list(Source), ids=lambda s: str(int(s)))
def test_every_built_in_collection_deserialises_through_accounting_api(sandbox, http, source):
    client = api_client_for(sandbox, source, sign_in(sandbox, http, source))
    tenant_id = sandbox.organisation(source).tenant_id
    accounting = AccountingApi(client)
    data = sandbox.organisation(source).collections

    accounts = accounting.get_accounts(tenant_id).accounts
    assert [a.code for a in accounts] == [a["Code"] for a in data["Accounts"]]
    assert accounts[0].type.value == "BANK"
    contacts = accounting.get_contacts(tenant_id).contacts
    assert contacts and {c.name for c in contacts} <= {c["Name"] for c in data["Contacts"]}
    assert accounting.get_contact(tenant_id, contacts[0].contact_id).contacts[0].name == contacts[0].name
    with pytest.raises(UnsupportedOperationError):  # Items is not part of Ledgerflow's surface
        accounting.get_items(tenant_id)
    tax_rates = accounting.get_tax_rates(tenant_id).tax_rates
    assert [t.tax_type for t in tax_rates] == [t["TaxType"] for t in data["TaxRates"]]
    currencies = accounting.get_currencies(tenant_id).currencies
    assert currencies[0].code.value == PROFILES[source].currency
    payments = accounting.get_payments(tenant_id).payments
    assert payments and len(payments) == len(data["Payments"])
    payment = next(p for p in payments if p.invoice is not None)
    invoice = accounting.get_invoice(tenant_id, payment.invoice.invoice_id).invoices[0]
    assert payment.payment_id in {p.payment_id for p in invoice.payments}
    assert accounting.get_payment(tenant_id, payment.payment_id).payments[0].amount == payment.amount


def test_invoice_filters_and_if_modified_since(sandbox, http):
    source = Source.QUICKBOOKS_ONLINE
    client = api_client_for(sandbox, source, sign_in(sandbox, http, source))
    tenant_id = sandbox.organisation(source).tenant_id
    accounting = AccountingApi(client)
    total = len(sandbox.books(source).collections["Invoices"])
    everything = accounting.get_invoices(tenant_id).invoices
    assert len(everything) == total  # no page: all of them, as Xero
    since = dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc)
    recent = accounting.get_invoices(tenant_id, if_modified_since=since).invoices
    assert 0 < len(recent) < len(everything)
    assert all(invoice.updated_date_utc > since for invoice in recent)
    assert {i.invoice_id for i in everything if i.updated_date_utc > since} == {i.invoice_id for i in recent}
    paid = accounting.get_invoices(tenant_id, statuses=["PAID"]).invoices
    assert paid and all(i.status == "PAID" for i in paid)
    two = accounting.get_invoices(tenant_id, i_ds=[everything[3].invoice_id, everything[5].invoice_id]).invoices
    assert [i.invoice_id for i in two] == [everything[3].invoice_id, everything[5].invoice_id]
    small_pages = accounting.get_invoices(tenant_id, page=3, page_size=50)
    assert len(small_pages.invoices) == 50 and small_pages.pagination.page_count == -(-total // 50)


def test_client_credentials_reads_the_organisation_without_a_user(sandbox):
    source = Source.SAGE_ACCOUNTING
    store: Dict[str, Any] = {}
    client = ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id=sandbox.client_id, client_secret=sandbox.client_secret),
                      source=source, host=sandbox.base_url),
        pool_threads=1,
        oauth2_token_getter=lambda: store.get("token"),
        oauth2_token_saver=lambda token: store.__setitem__("token", token),
    )
    client.get_client_credentials_token()
    assert "refresh_token" not in store["token"] and store["token"]["access_token"]
    tenant_id = IdentityApi(client).get_connections()[0].tenant_id
    assert tenant_id == sandbox.organisation(source).tenant_id
    assert AccountingApi(client).get_organisations(tenant_id).organisations[0].name == PROFILES[source].name


def test_a_client_without_the_source_in_the_accounting_path_reaches_its_tokens_source(sandbox, http):
    source = Source.SAGE_DESKTOP_UK
    tokens = sign_in(sandbox, http, source)
    client = ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id=sandbox.client_id, client_secret=sandbox.client_secret),
                      source=source, host=sandbox.base_url, source_in_accounting_path=False),
        pool_threads=1, oauth2_token_getter=lambda: tokens, oauth2_token_saver=lambda token: None,
    )
    organisation = AccountingApi(client).get_organisations(sandbox.organisation(source).tenant_id).organisations[0]
    assert organisation.name == PROFILES[source].name


def test_a_filter_the_sandbox_does_not_implement_is_refused_not_ignored(sandbox, http):
    source = Source.QUICKBOOKS_ONLINE
    client = api_client_for(sandbox, source, sign_in(sandbox, http, source))
    with pytest.raises(HTTPStatusException) as refused:
        AccountingApi(client).get_invoices(sandbox.organisation(source).tenant_id, where='Reference.Matches("x")')
    assert refused.value.status == 400
    assert b"ValidationException" in refused.value.body and b"where" in refused.value.body
