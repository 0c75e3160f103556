"""Nightly sync of the ledger into the warehouse."""

from typing import Optional

import xero_python.accounting as accounting
from xero_python.accounting import AccountingApi as Books


class LedgerSync:
    def __init__(self, api_client, tenant_id):
        self.api = Books(api_client)
        self.tenant_id = tenant_id

    def run(self, since):
        accounts = self.api.get_accounts(self.tenant_id)
        journals = self.api.get_journals(self.tenant_id, if_modified_since=since)
        for invoice in self.api.get_invoices(self.tenant_id, if_modified_since=since).invoices:
            self.api.get_invoice_history(self.tenant_id, invoice.invoice_id)
        return accounts, journals


def items(api: Optional[accounting.AccountingApi], tenant_id):
    return api.get_items(tenant_id)


def archive(api_client, tenant_id, invoice):
    books = accounting.AccountingApi(api_client)
    fetch = getattr(books, "get_invoice_attachments")  # noqa: B009 (the dispatch style check must read)
    update = books.update_invoice
    return fetch(tenant_id, invoice.invoice_id), update(tenant_id, invoice.invoice_id, invoice)
