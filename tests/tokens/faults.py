"""The fault table: every way a token call (and a plain API call) can go wrong on the wire,
acted out by :class:`~tests.tokens.loopback.LoopbackServer`, and what the client must do.

Run ``python -m tests.tokens.faults`` for the table (tried / typed / bounded / token kept);
``tests/tokens/test_faults.py`` asserts every row.
"""

from __future__ import annotations

import gzip
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Tuple, Type

from xero_python.accounting import AccountingApi
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.exceptions import HTTPStatusException

from ledgerflow_xero import ApiClient, Configuration, LedgerflowError, TokenRefreshError, TokenStore, TransportError

from .loopback import (
    CLIENT_ID,
    CLIENT_SECRET,
    ORGANISATION_PATH,
    REVOKE_PATH,
    SOURCE,
    TOKEN_PATH,
    Connection,
    LoopbackServer,
)

TIMEOUT = (0.5, 0.5)  # so the deadline (their sum) is 1 s
BOUND = 10.0  # generous: proves "no hang", not speed
HANG = 30.0  # how long a silent or dripping server keeps going


def _hold(connection: Connection) -> None:
    end = time.monotonic() + HANG
    while time.monotonic() < end and not connection.server._stopping:
        time.sleep(0.05)


def _drip_body(connection: Connection) -> None:
    body = b'{"access_token": "' + b"x" * 200 + b'"}'
    connection.sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                            + str(len(body)).encode() + b"\r\n\r\n")
    for byte in body:
        if connection.server._stopping:
            return
        connection.sock.sendall(bytes([byte]))
        time.sleep(0.2)


def _drip_head(connection: Connection) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"a" * 200:
        if connection.server._stopping:
            return
        connection.sock.sendall(bytes([byte]))
        time.sleep(0.2)


def _truncated(connection: Connection) -> None:
    body = b'{"access_token": "cut-off-access-token", "refresh_token": "cut-'
    connection.send(200, body, content_length=len(body) + 200)


def _garbage_gzip(connection: Connection) -> None:
    connection.send(200, b"\x1f\x8b\x08\x00this is not gzip at all", {"Content-Encoding": "gzip"})


def _truncated_gzip(connection: Connection) -> None:
    whole = gzip.compress(b'{"access_token": "a-gzipped-access-token", "expires_in": 1800}')
    connection.send(200, whole[: len(whole) // 2], {"Content-Encoding": "gzip"})


def _token_with(**changes: Any) -> Callable[[Connection], None]:
    return lambda connection: connection.server.answer_token(connection, **changes)


def _status(status: int, body: bytes = b'{"error": "invalid_grant", "error_description": "refresh token reused"}',
            **headers: str) -> Callable[[Connection], None]:
    content_type = "application/json" if body.startswith(b"{") else "text/html"
    return lambda connection: connection.send(status, body, {"Content-Type": content_type, **headers})


@dataclass(frozen=True)
class Case:
    """One row: a call, what the server does, and what the client must raise (None: succeed)."""

    name: str
    call: str  # "refresh" | "auto-refresh" | "client-credentials" | "revoke" | "api"
    behaviour: Callable[[Connection], None]
    expected: Type[BaseException] | None


# Faults every token call must survive, each a typed error in bounded time with the set intact.
_TOKEN_FAULTS: List[Tuple[str, Callable[[Connection], None]]] = [
    ("HTTP 400 invalid_grant", _status(400)),
    ("HTTP 500 html page", _status(500, b"<html>oops</html>")),
    ("HTTP 201 (2xx, not 200)", _token_with()),  # replaced below for the status
    ("HTTP 429 Retry-After 99999999", _status(429, b'{"error": "slow_down"}', **{"Retry-After": "99999999"})),
    ("closed without an answer", lambda connection: None),
    ("connection reset", lambda connection: connection.reset()),
    ("body cut short", _truncated),
    ("garbage gzip", _garbage_gzip),
    ("gzip cut short", _truncated_gzip),
    ("silence (no answer)", _hold),
    ("headers a byte every 0.2 s", _drip_head),
    ("body a byte every 0.2 s", _drip_body),
    ("200 with an html page", _status(200, b"<html>a proxy login page</html>")),
    ("200 with a JSON array", lambda connection: connection.send_json(200, [1, 2])),
    ("200 without access_token", _token_with(access_token=...)),
    ("200 with access_token null", _token_with(access_token=None)),
    ("200 with access_token empty", _token_with(access_token="")),
    ("200 with access_token a number", _token_with(access_token=12345)),
]
_TOKEN_FAULTS[2] = ("HTTP 201 (2xx, not 200)",
                    lambda connection: connection.send(201, b'{"access_token": "x", "expires_in": 60}'))

# Answers a real server sends that xero-python alone cannot take: they must succeed, and
# keep a refresh token.
_ODD_ANSWERS: List[Tuple[str, Callable[[Connection], None]]] = [
    ("extra field x_refresh_token_expires_in", _token_with(x_refresh_token_expires_in=8726400)),
    ("no scope", _token_with(scope=...)),
    ("no token_type", _token_with(token_type=...)),
    ("expires_in as a string", _token_with(expires_in="1800")),
    ("no refresh_token (not rotated)", _token_with(refresh_token=...)),
    ("refresh_token null", _token_with(refresh_token=None)),
]

_API_FAULTS: List[Tuple[str, Callable[[Connection], None]]] = [
    ("closed without an answer", lambda connection: None),
    ("connection reset", lambda connection: connection.reset()),
    ("body cut short", _truncated),
    ("garbage gzip", _garbage_gzip),
    ("silence (no answer)", _hold),
    ("headers a byte every 0.2 s", _drip_head),
    ("body a byte every 0.2 s", _drip_body),
]

CASES: List[Case] = (
    [Case(name, call, behaviour, TokenRefreshError)
     for call in ("refresh", "auto-refresh", "client-credentials") for name, behaviour in _TOKEN_FAULTS]
    # A revocation answered 200 is done whatever its body: only faults before that count.
    + [Case(name, "revoke", behaviour, TokenRefreshError) for name, behaviour in _TOKEN_FAULTS[:12]
       if name != "gzip cut short"]
    + [Case(name, call, behaviour, None) for call in ("refresh", "auto-refresh", "client-credentials")
       for name, behaviour in _ODD_ANSWERS]
    + [Case(name, "api", behaviour, TransportError) for name, behaviour in _API_FAULTS]
    + [Case("HTTP 429 Retry-After 99999999", "api",
            _status(429, b'{"Title": "rate limited"}', **{"Retry-After": "99999999"}), HTTPStatusException)]
)


@dataclass
class Outcome:
    case: Case
    error: BaseException | None
    seconds: float
    before: Dict[str, Any]
    after: Dict[str, Any]
    saved: List[Dict[str, Any]]

    @property
    def typed(self) -> bool:
        if self.case.expected is None:
            return self.error is None
        return isinstance(self.error, self.case.expected) and (
            isinstance(self.error, LedgerflowError) or self.case.expected is HTTPStatusException)

    @property
    def bounded(self) -> bool:
        return self.seconds < BOUND

    @property
    def token_kept(self) -> bool:
        """Failure: the stored set is exactly as before and nothing was saved. Success: a whole
        set was saved, with an access token and a refresh token (the old one when the answer
        had none)."""
        if self.case.call == "revoke" and self.case.expected is None:
            return True
        if self.error is not None:
            return self.after == self.before and self.saved == []
        if self.case.call == "client-credentials":
            # No scope is requested in this grant, so an answer without one leaves it None.
            new_access = self.after.get("access_token") not in (None, "", self.before.get("access_token"))
            return new_access and (self.after.get("scope") is None or isinstance(self.after.get("scope"), list))
        refresh = self.after.get("refresh_token")
        return (bool(self.after.get("access_token")) and self.after["access_token"] != self.before["access_token"]
                and isinstance(refresh, str) and bool(refresh) and isinstance(self.after.get("scope"), list)
                and len(self.saved) == 1)


def new_client(server: LoopbackServer, store: TokenStore, **settings: Any) -> ApiClient:
    configuration = Configuration(
        oauth2_token=OAuth2Token(client_id=CLIENT_ID, client_secret=CLIENT_SECRET),
        source=SOURCE, host=server.base_url, timeout=settings.pop("timeout", TIMEOUT), **settings,
    )
    return ApiClient(configuration, pool_threads=1, oauth2_token_getter=store.get, oauth2_token_saver=store.save)


_PATHS = {"refresh": TOKEN_PATH, "auto-refresh": TOKEN_PATH, "client-credentials": TOKEN_PATH,
          "revoke": REVOKE_PATH, "api": ORGANISATION_PATH}


def run_case(server: LoopbackServer, case: Case) -> Outcome:
    """Act out one row against ``server``."""
    store = TokenStore(server.expired_set() if case.call in ("refresh", "auto-refresh") else server.issue())
    before = dict(store.token)
    client = new_client(server, store)
    server.misbehave(_PATHS[case.call], case.behaviour)
    started = time.monotonic()
    error: BaseException | None = None
    try:
        if case.call == "refresh":
            client.refresh_oauth2_token()
        elif case.call == "client-credentials":
            client.get_client_credentials_token()
        elif case.call == "revoke":
            client.revoke_oauth2_token()
        else:
            AccountingApi(client).get_organisations("tenant-1")
    except Exception as caught:  # noqa: BLE001 - the table records what was raised
        error = caught
    return Outcome(case, error, time.monotonic() - started, before, dict(store.token), list(store.saved))


def main() -> None:
    server = LoopbackServer()
    try:
        outcomes = [run_case(server, case) for case in CASES]
    finally:
        server.stop()
    width = max(len(o.case.name) for o in outcomes)
    print(f"{'call':<19} {'fault':<{width}}  typed  bounded(s)  token kept  raised")
    for o in outcomes:
        raised = type(o.error).__name__ if o.error else "-"
        print(f"{o.case.call:<19} {o.case.name:<{width}}  {'yes' if o.typed else 'NO ':<5}  "
              f"{o.seconds:>5.2f} {'ok' if o.bounded else 'NO':<4}  {'yes' if o.token_kept else 'NO':<10}  {raised}")
    kept = sum(o.token_kept for o in outcomes)
    print(f"\ntried {len(outcomes)}; typed {sum(o.typed for o in outcomes)}; "
          f"bounded (<{BOUND:g} s) {sum(o.bounded for o in outcomes)}; token kept {kept}; "
          f"slowest {max(o.seconds for o in outcomes):.2f} s")


if __name__ == "__main__":
    main()
