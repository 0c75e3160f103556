"""The tooling's own errors: still :class:`ledgerflow_xero.LedgerflowError` subclasses, so one
``except`` catches every fault, but not part of the package users install."""

from __future__ import annotations

from ledgerflow_xero.errors import LedgerflowError


class UpstreamError(LedgerflowError):
    """A xero-python release or sdist the upstream tools cannot fetch or read (names which and why)."""


class UpstreamSuiteError(LedgerflowError):
    """Running xero-python's own test suite could not be set up (npm, the spec, pip, a bad
    deviations file): the run did not happen, so nothing was proven."""
