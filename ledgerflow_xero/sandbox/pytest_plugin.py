"""The sandbox's pytest fixtures under their earlier module name; the plugin itself is
:mod:`ledgerflow_xero_pytest`, which pytest loads without importing xero-python."""

from ledgerflow_xero_pytest import ledgerflow_sandbox, ledgerflow_sandbox_session

__all__ = ["ledgerflow_sandbox", "ledgerflow_sandbox_session"]
