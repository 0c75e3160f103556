"""Is the installed xero-python a release this project vetted?

The declared range (``xero-python>=2.0.0,<=15.2.0``) admits releases between the vetted ones
that nobody ran the checks on. A routed client built on such a release warns once per process
with :class:`~ledgerflow_xero.LedgerflowCompatibilityWarning`; the host allowlist keeps tokens
on the Ledgerflow host either way. The list is generated (:mod:`ledgerflow_xero._vetted`).
"""

from __future__ import annotations

import threading
import warnings
from importlib import metadata
from typing import Set

from ._vetted import VETTED_RELEASES
from .errors import LedgerflowCompatibilityWarning

_warned: Set[str] = set()
_lock = threading.Lock()


def installed_xero_python() -> str | None:
    """The installed xero-python's version, or None when its metadata cannot be found."""
    try:
        return metadata.version("xero-python")
    except metadata.PackageNotFoundError:
        return None


def check_vetted_xero_python(version: str | None = None) -> bool:
    """True when ``version`` (default: the installed xero-python) is a vetted release; otherwise
    warn, once per process and version, and return False."""
    version = version if version is not None else installed_xero_python()
    # The patched fork (15.2.0+ledgerflow.1) is its release plus upstreamable patches.
    if version is None or version.split("+", 1)[0] in VETTED_RELEASES:
        return True
    with _lock:
        if version in _warned:
            return False
        _warned.add(version)
    warnings.warn(
        f"xero-python {version} was never vetted for Ledgerflow routing (vetted: {VETTED_RELEASES[0]} ... "
        f"{VETTED_RELEASES[-1]}, see COMPATIBILITY.md); the host allowlist still keeps requests and tokens "
        "on the Ledgerflow host, but calls this release added may be refused",
        LedgerflowCompatibilityWarning,
        stacklevel=3,
    )
    return False
