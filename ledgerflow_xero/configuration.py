"""``Configuration``: xero-python's configuration plus a Ledgerflow source and host."""

# pyright: reportUnnecessaryIsInstance=false
# (public entry points check argument types at run time: their callers are often untyped)

from __future__ import annotations

import os
from typing import Any, Tuple, Type, TypeVar

from ._xero import XeroConfiguration
from .errors import InvalidRetryPolicyError, InvalidSourceError
from .resilience import DEFAULT_TIMEOUT, RetryPolicy, Timeout, check_timeout
from .routing import DEFAULT_HOST, Router, router_for
from .sources import SourceLike
from .surface import ContractOptions

SOURCE_ENV = "LEDGERFLOW_SOURCE"
HOST_ENV = "LEDGERFLOW_HOST"

_T = TypeVar("_T")


class _FreshInstances(type(XeroConfiguration)):  # type: ignore[misc]
    """xero-python's metaclass hands out copies of the first instance ever built (upstream
    issue 99), so a second client would share the first one's token and source. Build each
    instance from its own arguments instead."""

    def __call__(cls: Type[_T], *args: Any, **kwargs: Any) -> _T:  # pyright: ignore[reportSelfClsParameterName, reportGeneralTypeIssues]
        return type.__call__(cls, *args, **kwargs)  # type: ignore[no-any-return]


def router_from_settings(
    source: SourceLike | None,
    host: str | None,
    **options: object,
) -> Router | None:
    """The router for explicit settings, falling back to ``LEDGERFLOW_SOURCE``/``LEDGERFLOW_HOST``.

    Returns None when no source is set anywhere: such a client is left untouched.
    """
    if source is None:
        source = os.environ.get(SOURCE_ENV) or None
        if source is None:
            if host is not None:
                raise InvalidSourceError(
                    f"a Ledgerflow host was given ({host!r}) but no source; pass source= "
                    f"or set {SOURCE_ENV} to 1001, 1004 or 1009"
                )
            return None
    if host is None:
        host = os.environ.get(HOST_ENV) or DEFAULT_HOST
    return router_for(source, host, **options)


class Configuration(XeroConfiguration, metaclass=_FreshInstances):  # type: ignore[misc]
    """xero-python's ``Configuration`` with the Ledgerflow settings of one client.

    ``source`` names the accounting system (1001, 1004, 1009, or a name such as
    ``"quickbooks"``); ``host`` is the Ledgerflow host (default
    ``https://xero.api.ledgerscope.com``). When not given they are read from the
    ``LEDGERFLOW_SOURCE`` and ``LEDGERFLOW_HOST`` environment variables; with no source
    at all the configuration behaves exactly like xero-python's. ``allowed_hosts`` names hosts
    besides the Ledgerflow host and loopback that the client may send to (every other host is
    refused before any lookup). Bad values raise at construction, before any request.
    ``retry=RetryPolicy(...)`` turns on retries of idempotent requests answered 429/503 (off by
    default; without it nothing is retried and no ``Retry-After`` is slept). ``timeout=(connect,
    read)`` in seconds (or one number for both) bounds every request, token calls included;
    default 10 s and 60 s, and connect + read for the whole request however slowly it comes.

    Accounting operations Ledgerflow does not serve (writes, attachments, history, Items, ...;
    see :mod:`ledgerflow_xero.surface`) raise :class:`~ledgerflow_xero.UnsupportedOperationError`
    before any I/O; ``allow_unserved_operations=True`` sends them anyway. Every routed request
    carrying ``xero-tenant-id`` also carries ``ledgerscope-tenant-id`` (the header's name in
    Ledgerflow's spec), unless ``ledgerscope_tenant_header=False``.

    Unlike xero-python's class, every call builds a new object from its own arguments.
    """

    def __init__(
        self,
        *args: Any,
        source: SourceLike | None = None,
        host: str | None = None,
        source_in_accounting_path: bool = True,
        allow_unsupported_apis: bool = False,
        allow_unknown_source: bool = False,
        allowed_hosts: Tuple[str, ...] = (),
        retry: RetryPolicy | None = None,
        timeout: Timeout | None = None,
        allow_unserved_operations: bool = False,
        ledgerscope_tenant_header: bool = True,
        **kwargs: Any,
    ) -> None:
        XeroConfiguration.__init__(self, *args, **kwargs)
        self._ledgerflow_timeout = None if timeout is None else check_timeout(timeout)
        self._ledgerflow_contract = ContractOptions(allow_unserved_operations, ledgerscope_tenant_header)
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise InvalidRetryPolicyError(f"retry= takes a ledgerflow_xero.RetryPolicy or None, not {retry!r}")
        self._ledgerflow_retry = retry
        self._ledgerflow_router = router_from_settings(
            source,
            host,
            source_in_accounting_path=source_in_accounting_path,
            allow_unsupported_apis=allow_unsupported_apis,
            allow_unknown_source=allow_unknown_source,
            allowed_hosts=allowed_hosts,
        )

    @property
    def ledgerflow_router(self) -> Router | None:
        """The router requests of this configuration go through, or None when unconfigured."""
        return self._ledgerflow_router

    @property
    def ledgerflow_retry(self) -> RetryPolicy | None:
        """The retry policy of this client's requests (None: no retries, the default)."""
        return self._ledgerflow_retry

    @property
    def ledgerflow_timeout(self) -> Tuple[float, float]:
        """(connect, read) seconds for each request of this client; the overall deadline of a
        request is their sum. Default ``resilience.DEFAULT_TIMEOUT`` (10 s, 60 s)."""
        return self._ledgerflow_timeout or DEFAULT_TIMEOUT

    @property
    def source(self) -> int | None:
        """The source system id (a :class:`~ledgerflow_xero.Source` when known), or None."""
        router = self._ledgerflow_router
        return router.source if router else None

    @property
    def host(self) -> str | None:
        """The validated Ledgerflow host, or None when unconfigured."""
        router = self._ledgerflow_router
        return router.host if router else None

    def use_ledgerflow(self, source: SourceLike, host: str = DEFAULT_HOST, **options: object) -> None:
        """Point this configuration at another source or host (validated now)."""
        self._ledgerflow_router = router_for(source, host, **options)

    def __repr__(self) -> str:
        router = self._ledgerflow_router
        if router is None:
            return "Configuration(ledgerflow=off)"
        return f"Configuration(source={int(router.source)}, host={router.host!r})"
