"""The exceptions this package raises. Every one of them is a :class:`LedgerflowError`."""

from __future__ import annotations

from typing import Any, Dict, Tuple, Type

import urllib3

MAX_SHOWN = 100
"""Longest value an error message echoes; longer ones are cut with an ellipsis."""


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters, for messages that echo a value."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class LedgerflowError(Exception):
    """Base class of every error raised by ledgerflow-xero.

    Every one pickles and copies with its message and attributes (a process pool passes
    errors between processes), whatever its constructor takes."""

    def __reduce__(self) -> Tuple[Any, ...]:
        return (_restore_error, (type(self), self.args, dict(vars(self))))


def _restore_error(cls: Type[BaseException], args: Tuple[Any, ...], state: Dict[str, Any]) -> BaseException:
    error = cls.__new__(cls, *args)
    error.args = args
    vars(error).update(state)
    return error


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

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (str(self), self.api))


class HostNotAllowedError(RoutingError):
    """A routed client was about to send to a host outside its allowlist (its Ledgerflow host,
    loopback addresses and ``allowed_hosts``): raised before any DNS lookup or connection.
    ``host`` is the refused host name."""

    def __init__(self, message: str, host: str) -> None:
        super().__init__(message)
        self.host = host

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (str(self), self.host))


class LedgerflowCompatibilityWarning(UserWarning):
    """The installed xero-python is outside the range this package is tested with."""


class OAuthParameterError(LedgerflowError, ValueError):
    """A bad argument to one of the sign-in helpers (client id, redirect URI, scope, ...)."""


class MissingExtraError(LedgerflowError, ImportError):
    """An optional dependency is not installed; the message names the extra that brings it."""


class StateMismatchError(LedgerflowError):
    """The ``state`` a sign-in callback carried is not the one the login redirect sent.

    Raised before the code is exchanged: the callback may be forged (CSRF) or stale.
    """


class TokenRequestError(LedgerflowError):
    """The token endpoint refused a request, could not be reached, or answered nonsense.

    ``status`` is the HTTP status (None when no answer came), ``error`` and
    ``error_description`` the OAuth error fields of the answer, when it had them. The
    message never carries the client secret, the code or the code verifier.
    """

    def __init__(
        self, message: str, *, status: int | None = None, error: str | None = None,
        error_description: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.error_description = error_description

    def __repr__(self) -> str:
        return f"TokenRequestError(status={self.status!r}, error={self.error!r})"


class TokenValidationError(LedgerflowError):
    """An id_token or access token failed validation; ``check`` names the check that failed
    (``"signature"``, ``"algorithm"``, ``"signing key"``, ``"expiry"``, ``"not-before"``,
    ``"audience"``, ``"issuer"``, ``"nonce"``, ``"format"``, ...)."""

    def __init__(self, message: str, *, check: str) -> None:
        super().__init__(message)
        self.check = check


class SandboxConfigError(LedgerflowError, ValueError):
    """A bad setting for the local sandbox: a malformed ``--client``, host or upstream URL."""


class TokenRefreshError(TokenRequestError):
    """xero-python's own call to the token or revocation endpoint — a refresh, a client
    credentials grant, a revocation — failed through a Ledgerflow client: refused, not
    reached, or answered with something that is not a token set. xero-python's
    ``TokenApi`` would raise a bare ``Exception`` or a ``JSONDecodeError`` there.

    Raised before xero-python stores anything, so the saved token set is unchanged.
    ``status``, ``error`` and ``error_description`` as for :class:`TokenRequestError`.
    """

    def __repr__(self) -> str:
        return f"TokenRefreshError(status={self.status!r}, error={self.error!r})"


class TransportError(LedgerflowError, urllib3.exceptions.HTTPError):
    """A request of a Ledgerflow client got no HTTP answer: connection refused or reset,
    or no answer within the client's timeout. Also a ``urllib3.exceptions.HTTPError``, so
    code that catches urllib3's errors keeps working; the original is its ``__cause__``."""


class InvalidRetryPolicyError(LedgerflowError, ValueError):
    """A :class:`~ledgerflow_xero.RetryPolicy` setting out of range."""


class MalformedResponseError(LedgerflowError, ValueError):
    """A 2xx answer to a Ledgerflow client whose body is not valid JSON (cut off, or a proxy's
    page). xero-python would raise a bare ``ValueError`` about the model it expected."""


class UnsupportedOperationError(RoutingError):
    """An accounting operation Ledgerflow does not serve (a write, a sub-resource such as
    attachments or history, or a whole resource such as Items), refused before any I/O.

    ``operation`` is the xero-python method name (``"create_invoices"``) when one method can
    be told, else the resource (``"Invoices/Attachments"``), or None for a path Xero's spec does
    not have; ``http_method`` and ``path_template`` (relative to ``/api.xro/2.0``) say what was
    refused, and ``reason`` why: ``"write"``, ``"sub-resource"``, ``"resource"`` or ``"unknown"``
    (texts in ``ledgerflow_xero.surface.REASONS``). Configuration(allow_unserved_operations=True)
    sends such requests anyway.
    """

    def __init__(
        self,
        message: str,
        operation: str | None = None,
        http_method: str = "",
        path_template: str = "",
        reason: str = "",
    ) -> None:
        super().__init__(message)
        self.operation = operation
        self.http_method = http_method
        self.path_template = path_template
        self.reason = reason

    def __reduce__(self) -> tuple[type[UnsupportedOperationError], tuple[str, str | None, str, str, str]]:
        return (type(self), (str(self), self.operation, self.http_method, self.path_template, self.reason))


class InvalidArgumentError(LedgerflowError, ValueError):
    """A public function or class was given an argument of the wrong type or out of range;
    the message names the argument, shows the value (cut to ~100 characters) and says what
    is accepted."""


class InvalidTimeoutError(InvalidArgumentError):
    """A timeout that is not a positive number of seconds or a (connect, read) pair of them."""


class TokenStoreError(LedgerflowError):
    """A token store could not be read or written (no set stored under the key, a database
    error, a lock not granted within ``lock_timeout``). The stored set is unchanged."""


class InvalidTokenStoreError(InvalidArgumentError):
    """A bad argument to a token store (key, table name, URL, lock timeout)."""
