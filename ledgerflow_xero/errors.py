"""The exceptions this package raises. Every one of them is a :class:`LedgerflowError`."""

from __future__ import annotations


class LedgerflowError(Exception):
    """Base class of every error raised by ledgerflow-xero."""


class InvalidSourceError(LedgerflowError, ValueError):
    """A source accounting system id or name that Ledgerflow does not know."""


class InvalidHostError(LedgerflowError, ValueError):
    """A Ledgerflow host that is malformed, not https, or a Xero host."""


class RoutingError(LedgerflowError, ValueError):
    """A URL that cannot be sent through Ledgerflow: raised before any I/O."""


class UnsupportedApiError(RoutingError):
    """A Xero API that Ledgerflow does not serve (payroll, assets, files, ...)."""

    def __init__(self, message: str, api: str) -> None:
        super().__init__(message)
        self.api = api


class LedgerflowCompatibilityWarning(UserWarning):
    """The installed xero-python is outside the range this package is tested with."""


class UpstreamError(LedgerflowError):
    """A xero-python release or sdist the upstream tools cannot fetch or read (names which and why)."""


class UpstreamSuiteError(LedgerflowError):
    """Running xero-python's own test suite could not be set up (npm, the spec, pip, a bad
    deviations file): the run did not happen, so nothing was proven."""
