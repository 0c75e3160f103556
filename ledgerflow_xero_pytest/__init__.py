"""Pytest fixtures for testing your own xero-python code against the local Ledgerflow sandbox.

Registered as a pytest plugin (``pytest11`` entry point), so installing ledgerflow-xero makes
the fixtures available with no import and no conftest edit — the way pytest-httpserver and
similar plugins work. A test is three lines::

    def test_my_sync(ledgerflow_sandbox):
        client, tenant_id = ledgerflow_sandbox.api_client(1004)     # signed in, tokens stored
        assert AccountingApi(client).get_invoices(tenant_id, page=1).invoices

This plugin lives outside the ``ledgerflow_xero`` package on purpose: pytest imports it at the
start of every run, and importing anything inside ``ledgerflow_xero`` imports xero-python
(100-120 ms). Here nothing heavy loads until a test asks for a fixture.

- ``ledgerflow_sandbox``: a fresh sandbox per test (own codes, tokens and connections), on a
  free loopback port; ``.base_url``, ``.client_id``, ``.client_secret``, ``.redirect_uri``,
  ``.api_client(source)``, ``.books(source)``, ``.deny_consent``, ``.faults``.
- ``ledgerflow_sandbox_session``: one sandbox shared by the whole run, for speed when tests
  do not revoke or delete connections that others rely on.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest


def _start(seed: int) -> Any:
    try:
        from ledgerflow_xero.sandbox import Sandbox
    except ImportError as missing:  # pragma: no cover - depends on the installed extras
        pytest.skip(
            f"the Ledgerflow sandbox needs the 'sandbox' extra: pip install 'ledgerflow-xero[sandbox]' ({missing})"
        )
    return Sandbox(seed=seed).start()


@pytest.fixture
def ledgerflow_sandbox() -> Iterator[Any]:
    """A running :class:`ledgerflow_xero.sandbox.Sandbox` for one test, stopped afterwards."""
    sandbox = _start(seed=0)
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture(scope="session")
def ledgerflow_sandbox_session() -> Iterator[Any]:
    """A running sandbox shared by every test of the session."""
    sandbox = _start(seed=0)
    try:
        yield sandbox
    finally:
        sandbox.stop()
