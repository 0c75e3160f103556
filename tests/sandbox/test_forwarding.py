"""Forwarding to a real Prism serving Xero's accounting spec: with --forward-unserved, operations
Ledgerflow does not serve reach the mock with a placeholder bearer and the headers xero-python sends
(Prism checks both), so xero-python's AccountingApi gets the mock's answers."""

from __future__ import annotations

from typing import Iterator, Tuple

import pytest
from xero_python.accounting import AccountingApi, Contact, Contacts
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.exceptions import HTTPStatusException

from ledgerflow_xero import ApiClient, Configuration, TokenStore, UnsupportedOperationError
from ledgerflow_xero.sandbox import Sandbox, running_sandbox

QBO = 1004


@pytest.fixture(scope="module")
def forwarding(prism_url) -> Iterator[Tuple[Sandbox, ApiClient, str]]:
    with running_sandbox(seed=2, accounting_upstream=prism_url, forward_unserved=True) as sandbox:
        signed_in, tenant_id = sandbox.api_client(QBO)
        # The same tokens on a client that may send what Ledgerflow does not serve.
        store = TokenStore(signed_in.token_store.get())
        client = ApiClient(
            Configuration(oauth2_token=OAuth2Token(client_id=sandbox.client_id, client_secret=sandbox.client_secret),
                          source=QBO, host=sandbox.base_url, allow_unserved_operations=True),
            pool_threads=1, oauth2_token_getter=store.get, oauth2_token_saver=store.save,
        )
        yield sandbox, client, tenant_id


def test_a_removed_resource_is_answered_by_prism(forwarding):
    _, client, tenant_id = forwarding
    items = AccountingApi(client).get_items(tenant_id).items  # Prism's example Items from Xero's spec
    assert items and items[0].code


def test_a_required_content_type_header_reaches_prism(forwarding):
    _, client, tenant_id = forwarding
    # Xero's spec requires xero-python's "contentType" header here; Prism answers 422 without it.
    content = AccountingApi(client).get_invoice_attachment_by_file_name(
        tenant_id, "00000000-0000-4000-8000-000000000001", "receipt.png", "image/png")
    assert content is not None


def test_a_write_is_forwarded_with_its_body(forwarding):
    _, client, tenant_id = forwarding
    created = AccountingApi(client).create_contacts(tenant_id, Contacts(contacts=[Contact(name="Forwarded Ltd")]))
    assert created.contacts


def test_served_operations_are_still_answered_by_the_sandbox(forwarding):
    sandbox, client, tenant_id = forwarding
    organisation = AccountingApi(client).get_organisations(tenant_id).organisations[0]
    assert organisation.name == sandbox.books(QBO).name and organisation.organisation_id == tenant_id


def test_the_tenant_and_bearer_checks_still_come_first(forwarding):
    sandbox, client, _ = forwarding
    with pytest.raises(HTTPStatusException) as refused:
        AccountingApi(client).get_items(sandbox.books(1009).tenant_id)  # a tenant this token does not hold
    assert refused.value.status == 403


def test_without_allow_unserved_the_client_refuses_before_any_request(forwarding):
    sandbox, _, tenant_id = forwarding
    client, _ = sandbox.api_client(QBO)
    with pytest.raises(UnsupportedOperationError):
        AccountingApi(client).get_items(tenant_id)
