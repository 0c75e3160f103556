"""Every row of the fault table (tests/tokens/faults.py): a typed error (or, for an odd but
valid answer, success), in bounded time, with the stored token set intact or whole."""

from __future__ import annotations

import pytest

from ledgerflow_xero import TokenRefreshError

from .faults import BOUND, CASES, Case, run_case
from .loopback import CLIENT_SECRET, LoopbackServer


@pytest.mark.parametrize("case", CASES, ids=[f"{case.call}: {case.name}" for case in CASES])
def test_fault(server: LoopbackServer, case: Case) -> None:
    outcome = run_case(server, case)
    assert outcome.typed, f"raised {outcome.error!r}, expected {case.expected}"
    assert outcome.bounded, f"took {outcome.seconds:.1f} s (bound {BOUND} s)"
    assert outcome.token_kept, f"stored set before {outcome.before}, after {outcome.after}, saved {outcome.saved}"
    if isinstance(outcome.error, TokenRefreshError):
        text = f"{outcome.error} {outcome.error!r}"
        for secret in (CLIENT_SECRET, outcome.before.get("refresh_token"), outcome.before.get("access_token")):
            assert not secret or secret not in text


def test_a_missing_refresh_token_keeps_the_old_one_not_none(server: LoopbackServer) -> None:
    case = next(c for c in CASES if c.call == "refresh" and c.name == "no refresh_token (not rotated)")
    outcome = run_case(server, case)
    assert outcome.after["refresh_token"] == outcome.before["refresh_token"]
    assert outcome.saved[0]["refresh_token"] == outcome.before["refresh_token"]


def test_an_extra_field_is_dropped_and_scope_is_a_list(server: LoopbackServer) -> None:
    case = next(c for c in CASES if c.call == "auto-refresh" and c.name.startswith("extra field"))
    outcome = run_case(server, case)
    assert "x_refresh_token_expires_in" not in outcome.after
    assert outcome.after["scope"] == ["openid", "offline_access", "accounting.settings.read"]
    assert outcome.after["refresh_token"] != outcome.before["refresh_token"]
