"""The bad-input table: every public entry point refuses a bad argument with a typed error
that names it, shows the value cut short, and says what is accepted."""

from __future__ import annotations

import socket
import subprocess
import sys
from typing import Any, Callable, List, Tuple, Type

import pytest

from ledgerflow_xero import (
    Configuration,
    InvalidArgumentError,
    InvalidHostError,
    InvalidRetryPolicyError,
    InvalidSourceError,
    InvalidTimeoutError,
    InvalidTokenStoreError,
    LedgerflowError,
    OAuthParameterError,
    RetryPolicy,
    Router,
    RoutingError,
    StateMismatchError,
    TokenStore,
    exchange_code,
    patch,
    route,
)
from ledgerflow_xero.sources import parse_source

HUGE = "x" * 1_000_000


def exchange(**changes: Any) -> None:
    arguments = dict(client_id="id", client_secret="secret", redirect_uri="http://127.0.0.1/cb", source=1004)
    arguments.update(changes)
    exchange_code("code", **arguments)


def sql_store(*args: Any, **kwargs: Any) -> Any:
    from ledgerflow_xero import SQLTokenStore

    return SQLTokenStore(*args, **kwargs)


# (what, call, error class, text the message must contain)
ROWS: List[Tuple[str, Callable[[], Any], Type[BaseException], str]] = [
    ("source of 4301 digits", lambda: Configuration(source="1" * 4301), InvalidSourceError, "4301 digits"),
    ("source as a list", lambda: Configuration(source=[1004]), InvalidSourceError, "source [1004] (a list"),
    ("source as a dict", lambda: Configuration(source={"id": 1004}), InvalidSourceError, "dict"),
    ("source as a float", lambda: Configuration(source=1004.0), InvalidSourceError, "1004.0"),
    ("source as bytes", lambda: Configuration(source=b"1004"), InvalidSourceError, "bytes"),
    ("source True", lambda: Configuration(source=True), InvalidSourceError, "True"),
    ("source of 1 MB", lambda: Configuration(source=HUGE), InvalidSourceError, "xxx..."),
    ("Router source list", lambda: Router([1004]), InvalidSourceError, "list"),
    ("route a URL that is an int", lambda: route(5, 1004), RoutingError, "url=5"),
    ("Router.route bytes", lambda: Router(1004).route(b"https://api.xero.com/connections"), RoutingError, "bytes"),
    ("patch bool option", lambda: patch(source=1004, allow_unsupported_apis="false"), InvalidArgumentError,
     "allow_unsupported_apis must be True or False, not 'false'"),
    ("parse_source digits", lambda: parse_source("9" * 5000), InvalidSourceError, "digits"),
    ("source_in_accounting_path None", lambda: Configuration(source=1004, source_in_accounting_path=None),
     InvalidArgumentError, "source_in_accounting_path must be True or False, not None"),
    ("allow_unsupported_apis 'false'", lambda: Configuration(source=1004, allow_unsupported_apis="false"),
     InvalidArgumentError, "allow_unsupported_apis must be True or False, not 'false'"),
    ("allow_unknown_source 1", lambda: Configuration(source=1004, allow_unknown_source=1), InvalidArgumentError,
     "allow_unknown_source must be True or False, not 1"),
    ("Router bool option", lambda: Router(1004, allow_unsupported_apis="yes"), InvalidArgumentError,
     "allow_unsupported_apis"),
    ("use_ledgerflow bool option", lambda: Configuration().use_ledgerflow(1004, source_in_accounting_path=0),
     InvalidArgumentError, "source_in_accounting_path must be True or False, not 0"),
    ("host of 1 MB", lambda: Configuration(source=1004, host="https://" + HUGE), InvalidHostError, "xxx…"),
    ("host with user info", lambda: Configuration(source=1004, host="https://me:pw@x.example"), InvalidHostError,
     "'https://***@x.example'"),
    ("host an int", lambda: Configuration(source=1004, host=5), InvalidHostError, "int"),
    ("retry a string", lambda: Configuration(source=1004, retry="3"), InvalidRetryPolicyError, "'3'"),
    ("timeout negative", lambda: Configuration(source=1004, timeout=-1), InvalidTimeoutError, "timeout=-1"),
    ("timeout a string", lambda: Configuration(source=1004, timeout="10"), InvalidTimeoutError, "timeout='10'"),
    ("timeout a triple", lambda: Configuration(source=1004, timeout=(1, 2, 3)), InvalidTimeoutError, "(1, 2, 3)"),
    ("timeout nan", lambda: Configuration(source=1004, timeout=float("nan")), InvalidTimeoutError, "nan"),
    ("RetryPolicy statuses '429'", lambda: RetryPolicy(statuses="429"), InvalidRetryPolicyError, "statuses='429'"),
    ("RetryPolicy statuses of str", lambda: RetryPolicy(statuses=["429"]), InvalidRetryPolicyError, "'429'"),
    ("RetryPolicy attempts True", lambda: RetryPolicy(attempts=True), InvalidRetryPolicyError, "attempts=True"),
    ("RetryPolicy methods 'GET'", lambda: RetryPolicy(methods="GET"), InvalidRetryPolicyError, "methods='GET'"),
    ("RetryPolicy statuses of 1 MB", lambda: RetryPolicy(statuses=HUGE), InvalidRetryPolicyError, "..."),
    ("RetryPolicy jitter 5", lambda: RetryPolicy(jitter=5), InvalidRetryPolicyError, "jitter=5"),
    ("empty states", lambda: exchange(expected_state="", returned_state=""), OAuthParameterError,
     "empty state never matches"),
    ("empty returned state", lambda: exchange(expected_state="s", returned_state=""), StateMismatchError, "empty"),
    ("expected state an int", lambda: exchange(expected_state=5, returned_state="5"), OAuthParameterError,
     "expected_state=5"),
    ("exchange timeout 0", lambda: exchange(timeout=0), OAuthParameterError, "timeout=0"),
    ("exchange client_auth list", lambda: exchange(client_auth=["basic"]), OAuthParameterError, "['basic']"),
    ("TokenStore of a str", lambda: TokenStore("token"), InvalidArgumentError, "str"),
    ("SQLTokenStore empty key", lambda: sql_store("sqlite://", key=""), InvalidTokenStoreError, "key=''"),
    ("SQLTokenStore key of 1 MB", lambda: sql_store("sqlite://", key=HUGE), InvalidTokenStoreError, "..."),
    ("SQLTokenStore bad table", lambda: sql_store("sqlite://", key="k", table="t; drop"), InvalidTokenStoreError,
     "table="),
    ("SQLTokenStore url list", lambda: sql_store(["sqlite://"], key="k"), InvalidTokenStoreError, "url="),
]


@pytest.mark.parametrize("call, error_class, text", [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_bad_input_is_refused_by_name(call: Callable[[], Any], error_class: Type[BaseException], text: str) -> None:
    with pytest.raises(error_class) as caught:
        call()
    message = str(caught.value)
    assert isinstance(caught.value, LedgerflowError)
    assert text in message, message[:300]
    assert len(message) < 700 and HUGE[:200] not in message  # values are cut to ~100 characters


def cli(*args: str) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    return subprocess.run([sys.executable, "-m", "ledgerflow_xero", *args], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("args, status, text", [
    (["sandbox", "--port", "-1"], 2, "-1 is not a port number"),
    (["sandbox", "--port", "x" * 5000], 2, "is not a port number"),
    (["route", "--source", "nope", "https://api.xero.com/connections"], 2, "unknown Ledgerflow source 'nope'"),
    (["route", "--source", "1004", "--host", "ftp://x", "https://api.xero.com/connections"], 2, "not an http(s) URL"),
    (["no-such-command"], 2, "invalid choice"),
])
def test_cli_errors_are_one_line_with_the_usage_status(args: List[str], status: int, text: str) -> None:
    result = cli(*args)
    assert result.returncode == status
    last = result.stderr.strip().splitlines()[-1]
    assert text in last and "Traceback" not in result.stderr and len(last) < 700


def test_a_busy_port_is_a_one_line_failure() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = cli("sandbox", "--port", str(busy.getsockname()[1]))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "ledgerflow-xero: error: Address already in use (another program is listening on that port; pick another "
        "with --port)"
    ]
