"""The opt-in global patch: route plain ``xero_python`` clients, for code you cannot edit.

Built like OpenTelemetry's instrumentors: applied once under a lock, guarded by the
xero-python versions this package declares, and undone exactly (the original
``ApiClient.request`` function object is put back).
"""

from __future__ import annotations

import threading
import warnings
from importlib import metadata
from typing import Any, Callable, Dict, Tuple

from xero_python.api_client import ApiClient as XeroApiClient

from .client import _GlobalRouting, dispatch
from .configuration import router_from_settings
from .errors import InvalidSourceError, LedgerflowCompatibilityWarning
from .sources import SourceLike
from .vetting import check_vetted_xero_python

# wrapt is imported inside patch()/unpatch(): it pulls in asyncio, which would add ~10 ms to
# ``import ledgerflow_xero`` for the many programs that never patch.

_lock = threading.Lock()
_original_request: Callable[..., Any] | None = None
DISTRIBUTION = "ledgerflow-xero"


def _route_request(wrapped: Callable[..., Any], instance: Any, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Any:
    if instance is None or getattr(instance, "_ledgerflow_routes_itself", False):
        return wrapped(*args, **kwargs)
    if len(args) >= 2:
        return dispatch(instance, wrapped, args[0], args[1], args[2:], kwargs)
    named = dict(kwargs)
    method = args[0] if args else named.pop("method")
    return dispatch(instance, wrapped, method, named.pop("url"), (), named)


def supported_xero_python() -> str | None:
    """The xero-python version range this package declares (from its own metadata)."""
    try:
        requirements = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return None
    for requirement in requirements:
        name, _, rest = requirement.partition(" ")
        if name.lower().replace("_", "-").startswith("xero-python"):
            spec = requirement[len("xero-python") :].split(";")[0].strip(" ()")
            return spec or None
    return None


def check_xero_python_version() -> bool:
    """Warn (:class:`LedgerflowCompatibilityWarning`) when the installed xero-python is
    outside the declared range; return whether it is inside."""
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    spec = supported_xero_python()
    installed = metadata.version("xero-python")
    if spec is None or Version(installed) in SpecifierSet(spec):
        return True
    warnings.warn(
        f"xero-python {installed} is outside the range ledgerflow-xero is tested with "
        f"({spec}); routing may miss URLs this release added",
        LedgerflowCompatibilityWarning,
        stacklevel=3,
    )
    return False


def patch(source: SourceLike | None = None, host: str | None = None, **options: bool) -> None:
    """Route every plain ``xero_python`` ``ApiClient`` to Ledgerflow.

    ``source`` and ``host`` default to ``LEDGERFLOW_SOURCE`` and ``LEDGERFLOW_HOST``; a
    source is required. Clients whose configuration has its own Ledgerflow settings keep
    them. Calling it again changes the settings; :func:`unpatch` undoes it.
    """
    router = router_from_settings(source, host, **options)
    if router is None:
        raise InvalidSourceError("patch() needs a source: pass source= or set LEDGERFLOW_SOURCE")
    global _original_request
    with _lock:
        if _original_request is None:
            import wrapt

            check_xero_python_version()
            check_vetted_xero_python()
            _original_request = XeroApiClient.__dict__["request"]
            wrapt.wrap_function_wrapper(XeroApiClient, "request", _route_request)
        _GlobalRouting.router = router


def unpatch() -> None:
    """Undo :func:`patch`: put the original ``ApiClient.request`` back. Harmless when not patched."""
    global _original_request
    with _lock:
        if _original_request is None:
            return
        import wrapt

        current = XeroApiClient.__dict__["request"]
        if isinstance(current, wrapt.FunctionWrapper) and current.__wrapped__ is _original_request:
            XeroApiClient.request = _original_request
        else:
            warnings.warn(
                "xero_python ApiClient.request was wrapped again after ledgerflow_xero.patch(); "
                "leaving that wrapper in place, with Ledgerflow routing switched off",
                LedgerflowCompatibilityWarning,
                stacklevel=2,
            )
        _GlobalRouting.router = None
        _original_request = None


def is_patched() -> bool:
    """True while :func:`patch` is in effect."""
    return _original_request is not None
