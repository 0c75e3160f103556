"""Pytest fixtures for testing your own xero-python code against the local sandbox.

Registered as a pytest plugin (``pytest11`` entry point), so installing ledgerflow-xero makes
the fixtures available with no import and no conftest edit — the way pytest-httpserver and
similar plugins work. The module imports nothing heavy at collection time: the sandbox (and
PyJWT) load only when a test asks for a fixture.

- ``ledgerflow_sandbox``: a fresh sandbox per test (own codes, tokens and connections), on a
  free loopback port; ``.base_url``, ``.client_id``, ``.client_secret``, ``.redirect_uri``.
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
