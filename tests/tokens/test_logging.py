"""Logging through ``logging.getLogger("ledgerflow_xero")``: what is logged, and never a secret."""

from __future__ import annotations

import logging
from typing import Any, List

import pytest
from xero_python.accounting import AccountingApi
from xero_python.payrollau import PayrollAuApi

import ledgerflow_xero
from ledgerflow_xero import RoutingError, TokenRefreshError, TokenStore, _log

from .faults import _status, new_client
from .loopback import CLIENT_SECRET, TOKEN_PATH, LoopbackServer


def test_the_package_logger_is_silent_until_configured() -> None:
    logger = logging.getLogger("ledgerflow_xero")
    assert ledgerflow_xero is not None and any(isinstance(h, logging.NullHandler) for h in logger.handlers)


def test_requests_refreshes_and_refusals_are_logged_with_no_secret(server: LoopbackServer,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    store = TokenStore(server.expired_set())
    secrets: List[str] = [CLIENT_SECRET]
    client = new_client(server, store)
    with caplog.at_level(logging.DEBUG, logger="ledgerflow_xero"):
        AccountingApi(client).get_invoices("tenant-1", where='Status=="PAID"', page=2)  # refresh, then the call
        server.misbehave(TOKEN_PATH, _status(400, b'{"error": "invalid_grant", "error_description": "%s"}'
                                             % store.token["refresh_token"].encode()))
        store.save(dict(store.token, expires_at=0))
        with pytest.raises(TokenRefreshError):
            AccountingApi(client).get_organisations("tenant-1")
        with pytest.raises(RoutingError):
            PayrollAuApi(client).get_employees("tenant-1")
        with pytest.raises(RoutingError):  # an operation Ledgerflow does not serve (a write)
            AccountingApi(client).create_invoices("tenant-1", {"Invoices": []})
    for token in [*store.saved, store.token]:
        secrets += [token[k] for k in ("access_token", "refresh_token", "id_token") if token.get(k)]
    records = [r for r in caplog.records if r.name == "ledgerflow_xero"]
    text = "\n".join(f"{r.levelname} {r.getMessage()}" for r in records)
    by_level = {level: [r.getMessage() for r in records if r.levelname == level] for level in ("DEBUG", "INFO",
                                                                                               "WARNING")}
    assert any(m.startswith("GET ") and m.endswith("/1004/api.xro/2.0/Invoices") for m in by_level["DEBUG"]), text
    assert any("token refreshed" in m for m in by_level["INFO"]), text
    assert any("refused: HTTP 400" in m for m in by_level["WARNING"]), text
    assert any(m.startswith("refused GET") and "payroll" in m for m in by_level["WARNING"]), text
    assert any(m.startswith("refused PUT") and "Invoices" in m for m in by_level["WARNING"]), text
    assert len(secrets) >= 5
    for secret in secrets:
        assert secret not in text
    assert "Status" not in text and "page=" not in text  # no query string


def test_debug_true_warns_once_that_xero_python_prints_secrets(server: LoopbackServer, monkeypatch: Any,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(_log, "debug_warned", False)
    client = new_client(server, TokenStore(server.issue()), debug=True)
    try:
        with pytest.warns(UserWarning, match="print every request and answer"):
            AccountingApi(client).get_organisations("tenant-1")
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            AccountingApi(client).get_organisations("tenant-1")  # warned once only
    finally:
        client.configuration.debug = False  # xero-python's debug switches http.client's output globally
    capsys.readouterr()


def test_a_sign_in_refresh_and_failure_through_the_sandbox_log_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    """Every record under ``ledgerflow_xero`` (the client's and the sandbox's) at DEBUG, through
    a sign-in (code, verifier), a refresh, a refused refresh and a transport failure."""
    import time

    from ledgerflow_xero import TransportError
    from ledgerflow_xero.sandbox import running_sandbox

    from ..support import SignedIn

    with caplog.at_level(logging.DEBUG, logger="ledgerflow_xero"), running_sandbox(seed=11) as sandbox:
        session = SignedIn(sandbox, 1009)
        session.store.token = dict(session.store.token, expires_at=time.time() - 5)
        AccountingApi(session.api_client).get_organisations(session.tenant_id)  # refreshes
        session.store.token = dict(session.store.saved[0], expires_at=time.time() - 5)
        sandbox.faults.add("status", status=400, path="/1009/connect/token", times=1)
        with pytest.raises(TokenRefreshError):
            AccountingApi(session.api_client).get_organisations(session.tenant_id)
        sandbox.faults.add("reset", path="/1009/api.xro/2.0/Organisation", times=1)
        session.store.token = dict(session.store.saved[0], expires_at=time.time() + 600)
        with pytest.raises(TransportError):
            AccountingApi(session.api_client).get_organisations(session.tenant_id)
    records = [r for r in caplog.records if r.name.startswith("ledgerflow_xero")]
    text = "\n".join(r.getMessage() + " " + repr(r.args) for r in records)
    assert any(r.levelno == logging.INFO and "token refreshed" in r.getMessage() for r in records)
    assert len(records) > 5
    secrets = session.secrets()
    assert len(secrets) >= 6
    for name, secret in secrets.items():
        assert secret not in text, f"the {name} is in a log record"
