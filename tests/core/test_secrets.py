"""Secrets never reach a log record, an exception message or a repr: the sign-in journey and
a refresh run with xero-python's debug logging on and every logger at DEBUG (ours, the
sandbox's, urllib3's), and with the failures a journey meets on a bad day."""

from __future__ import annotations

import logging
from typing import Any, Iterator, List

import pytest
from xero_python.accounting import AccountingApi
from xero_python.api_client.configuration import Configuration as XeroConfiguration
from xero_python.identity import IdentityApi

from ledgerflow_xero import (
    LedgerflowError,
    RetryPolicy,
    exchange_code,
    normalise_token_set,
    validate_id_token,
)
from ledgerflow_xero.sandbox import running_sandbox

from ..support import SignedIn
from .test_faults import error_texts


class Everything(logging.Handler):
    """Every log record, formatted with its arguments, exception and stack."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: List[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self) -> str:
        return "\n".join(self.format(record) + " " + repr(record.args) for record in self.records)


@pytest.fixture
def all_logs() -> Iterator[Everything]:
    handler = Everything()
    root = logging.getLogger()
    names = ["", "ledgerflow_xero", "ledgerflow_xero.sandbox", "xero_python", "urllib3"]
    levels = {name: logging.getLogger(name).level for name in names}
    root.addHandler(handler)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    # xero-python's own switch: its package logger at DEBUG (and http.client's debug prints)
    xero_configuration = XeroConfiguration()
    xero_configuration.debug = True
    try:
        yield handler
    finally:
        xero_configuration.debug = False
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def assert_nowhere(texts: str, session: SignedIn, extra: dict | None = None) -> None:
    for name, secret in {**session.secrets(), **(extra or {})}.items():
        where = texts[max(0, texts.find(secret) - 200) :][:400]
        assert secret and secret not in texts, f"the {name} appears in: ...{where}"


def test_the_journey_and_a_refresh_log_no_secret(all_logs: Everything, capsys: pytest.CaptureFixture) -> None:
    texts: List[str] = []
    with running_sandbox(seed=3) as sandbox:
        session = SignedIn(sandbox, 1009, retry=RetryPolicy(sleep=lambda _: None))
        claims = validate_id_token(session.store.token["id_token"], client_id=sandbox.client_id, source=1009,
                                   host=sandbox.base_url)
        assert claims["aud"] == sandbox.client_id
        connections = IdentityApi(session.api_client).get_connections()
        accounting = AccountingApi(session.api_client)
        organisation = accounting.get_organisations(connections[0].tenant_id).organisations[0]
        invoices = accounting.get_invoices(session.tenant_id, page=1)
        first_refresh_token = session.store.token["refresh_token"]
        refreshed = session.api_client.refresh_oauth2_token()
        assert refreshed["refresh_token"] != first_refresh_token and len(session.store.saved) == 1
        accounting.get_organisations(session.tenant_id)

        # A bad day: each failure's message and repr, and everything chained to it.
        failures: List[BaseException] = []
        for attempt in (
            lambda: exchange_code(session.code, client_id=sandbox.client_id, client_secret=sandbox.client_secret,
                                  redirect_uri=sandbox.redirect_uri, source=1009, host=sandbox.base_url,
                                  code_verifier=session.login.code_verifier),  # the code was used already
            lambda: exchange_code("not-a-code-" + session.code[:4], client_id=sandbox.client_id,
                                  client_secret=session.login.code_verifier, redirect_uri=sandbox.redirect_uri,
                                  source=1009, host=sandbox.base_url, code_verifier=session.login.code_verifier),
            lambda: exchange_code(session.code, client_id=sandbox.client_id, client_secret=sandbox.client_secret,
                                  redirect_uri=sandbox.redirect_uri, source=1009, host=sandbox.base_url,
                                  expected_state=session.login.state, returned_state="forged"),
            lambda: validate_id_token(session.store.token["id_token"], client_id="someone-else", source=1009,
                                      host=sandbox.base_url),
            lambda: validate_id_token(session.store.token["access_token"], client_id=sandbox.client_id,
                                      source=1009, host=sandbox.base_url),
            lambda: normalise_token_set({"refresh_token": session.store.token["refresh_token"]}),
        ):
            with pytest.raises(LedgerflowError) as caught:
                attempt()
            failures.append(caught.value)
        # A refresh with a rotated-away refresh token, through xero-python's own refresh.
        current = dict(session.store.token)
        session.store.token = dict(current, refresh_token=first_refresh_token)
        with pytest.raises(LedgerflowError) as caught:
            session.api_client.refresh_oauth2_token()
        failures.append(caught.value)
        session.store.token = current
        texts += [error_texts(error) for error in failures]

        # Reprs of what this package hands a program (the program's own token dicts are its business).
        texts += [repr(value) + str(value) for value in (
            session.login, session.tokens, session.api_client.configuration,
            session.api_client.configuration.ledgerflow_router, session.api_client.configuration.ledgerflow_retry,
            sandbox, organisation, connections,
        )]
        assert invoices.invoices

    records = all_logs.text()
    assert any(record.name.startswith("ledgerflow_xero") for record in all_logs.records)  # ours did log
    assert any(record.name.startswith("urllib3") for record in all_logs.records)  # and so did urllib3
    assert "/1009/connect/token" in records  # the refresh is in the logs, without its secrets
    assert_nowhere(records, session)
    assert_nowhere("\n".join(texts), session)
    capsys.readouterr()  # http.client's debug prints (xero-python's debug switch) go to stdout, not to logs


def test_the_token_set_is_hidden_in_reprs_but_whole_in_the_dict() -> None:
    token = normalise_token_set({"access_token": "a" * 40, "refresh_token": "r" * 40, "id_token": "i" * 40,
                                 "expires_in": 1800, "scope": "openid email"})
    shown = repr(token) + str(token)
    assert "a" * 40 not in shown and "r" * 40 not in shown and "i" * 40 not in shown
    assert token["access_token"] == "a" * 40  # still what xero-python needs


def test_an_api_error_does_not_echo_the_bearer_token(all_logs: Everything) -> None:
    with running_sandbox(seed=4) as sandbox:
        session = SignedIn(sandbox, 1001)
        sandbox.faults.add("status", status=500, path="/api.xro/2.0/Organisation", times=1)
        with pytest.raises(Exception) as caught:
            AccountingApi(session.api_client).get_organisations(session.tenant_id)
        assert getattr(caught.value, "status", None) == 500
        assert_nowhere(error_texts(caught.value) + all_logs.text(), session)
        session_repr: Any = repr(session.api_client.configuration)
        assert "1001" in session_repr
