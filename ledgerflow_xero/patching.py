"""The opt-in global patch: route plain ``xero_python`` clients, for code you cannot edit.

Built like OpenTelemetry's instrumentors: applied once under a lock, guarded by the
xero-python versions this package declares, and undone exactly (the original functions are
put back and every pool guard the patch added is removed).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import threading
import warnings
from typing import Any, Callable, Dict, Generator, Tuple

from ._deadline import unprepare_pool
from ._xero import RESTClientObject, XeroApiClient
from .client import GlobalRouting, dispatch, guard_pool_manager, is_guarded, router_of, unguard_pool_manager
from .configuration import router_from_settings
from .errors import InvalidSourceError, LedgerflowCompatibilityWarning
from .routing import Router
from .sources import SourceLike
from .surface import ContractOptions
from .token_answer import stored_token
from .vetting import check_vetted_xero_python

# wrapt is imported inside patch()/unpatch(): it pulls in asyncio, which would add ~10 ms to
# ``import ledgerflow_xero`` for the many programs that never patch.

_lock = threading.RLock()
_originals: Dict[Tuple[type, str], Callable[..., Any]] = {}


def _route_request(wrapped: Callable[..., Any], instance: Any, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Any:
    if instance is None or getattr(instance, "_ledgerflow_routes_itself", False):
        return wrapped(*args, **kwargs)
    if len(args) >= 2:
        return dispatch(instance, wrapped, args[0], args[1], args[2:], kwargs)
    named = dict(kwargs)
    method = args[0] if args else named.pop("method")
    return dispatch(instance, wrapped, method, named.pop("url"), (), named)


def _repair_stored_token(
    wrapped: Callable[..., Any], instance: Any, args: Tuple[Any, ...], kwargs: Dict[str, Any]
) -> Any:
    token = wrapped(*args, **kwargs)
    if instance is None or getattr(instance, "_ledgerflow_routes_itself", False):
        return token  # a Ledgerflow ApiClient repairs its own
    return stored_token(token) if router_of(instance.configuration) is not None else token


def _guard_new_rest_client(
    wrapped: Callable[..., Any], instance: Any, args: Tuple[Any, ...], kwargs: Dict[str, Any]
) -> Any:
    result = wrapped(*args, **kwargs)
    configuration = args[0] if args else kwargs.get("configuration")
    _guard(instance.pool_manager, lambda: router_of(configuration))
    return result


def _guard(pool_manager: Any, router_getter: Callable[[], Router | None]) -> None:
    if not is_guarded(pool_manager):
        guard_pool_manager(pool_manager, router_getter)
        GlobalRouting.guarded_pools.add(pool_manager)


def patch(
    source: SourceLike | None = None,
    host: str | None = None,
    *,
    allow_unserved_operations: bool = False,
    ledgerscope_tenant_header: bool = True,
    **options: object,
) -> None:
    """Route every plain ``xero_python`` ``ApiClient`` to Ledgerflow.

    ``source`` and ``host`` default to ``LEDGERFLOW_SOURCE`` and ``LEDGERFLOW_HOST``; a source
    is required; ``options`` are :class:`~ledgerflow_xero.Configuration`'s routing options
    (``allowed_hosts``, ``allow_unsupported_apis``, ...). Clients whose configuration has its
    own Ledgerflow settings keep them. Every client's connection pool — those built from now
    on, and those that exist already — is limited to the allowed hosts. Calling it again
    changes the settings; :func:`unpatch` undoes it exactly. ``allow_unserved_operations`` and
    ``ledgerscope_tenant_header`` as for :class:`~ledgerflow_xero.Configuration`.
    """
    router = router_from_settings(source, host, **options)
    if router is None:
        raise InvalidSourceError("patch() needs a source: pass source= or set LEDGERFLOW_SOURCE")
    with _lock:
        if not _originals:
            wrapt: Any = importlib.import_module("wrapt")
            check_vetted_xero_python()
            for owner, name, wrapper in (
                (XeroApiClient, "request", _route_request),
                (XeroApiClient, "get_oauth2_token", _repair_stored_token),
                (RESTClientObject, "__init__", _guard_new_rest_client),
            ):
                _originals[(owner, name)] = owner.__dict__[name]
                wrapt.wrap_function_wrapper(owner, name, wrapper)
            for candidate in gc.get_objects():  # clients built before patch()
                if isinstance(candidate, RESTClientObject):
                    _guard(candidate.pool_manager, lambda: GlobalRouting.router)
        GlobalRouting.router = router
        GlobalRouting.contract = ContractOptions(allow_unserved_operations, ledgerscope_tenant_header)


def unpatch() -> None:
    """Undo :func:`patch`: put the original functions back and remove the pool guards it
    added. Harmless when not patched."""
    with _lock:
        if not _originals:
            return
        wrapt: Any = importlib.import_module("wrapt")
        for (owner, name), original in _originals.items():
            current = owner.__dict__[name]
            if isinstance(current, wrapt.FunctionWrapper) and current.__wrapped__ is original:
                setattr(owner, name, original)
            else:
                warnings.warn(
                    f"xero_python {owner.__name__}.{name} was wrapped again after ledgerflow_xero.patch(); "
                    "leaving that wrapper in place, with Ledgerflow routing switched off",
                    LedgerflowCompatibilityWarning,
                    stacklevel=2,
                )
        for pool_manager in list(GlobalRouting.guarded_pools):
            unguard_pool_manager(pool_manager)
            unprepare_pool(pool_manager)
        GlobalRouting.guarded_pools.clear()
        _originals.clear()
        GlobalRouting.router = None


def is_patched() -> bool:
    """True while :func:`patch` is in effect."""
    return bool(_originals)


@contextlib.contextmanager
def patched(
    source: SourceLike | None = None, host: str | None = None, **options: object
) -> Generator[Router, None, None]:
    """:func:`patch` for the duration of a ``with`` block; on exit the previous state comes
    back exactly (unpatched, or the settings an outer :func:`patch` had). Yields the router.

    >>> with patched(source=1004):  # doctest: +SKIP
    ...     AccountingApi(plain_xero_client).get_invoices(tenant_id)
    """
    with _lock:
        previous = GlobalRouting.router if is_patched() else None
        previous_contract = GlobalRouting.contract
        patch(source, host, **options)  # type: ignore[arg-type]  # allow_unserved_operations etc. are bools
        router = GlobalRouting.router
    assert router is not None
    try:
        yield router
    finally:
        with _lock:
            if previous is None:
                unpatch()
            else:
                GlobalRouting.router = previous
                GlobalRouting.contract = previous_contract
