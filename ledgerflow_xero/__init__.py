"""ledgerflow-xero: run a xero-python program against QuickBooks Online and Sage through Ledgerflow.

Change ``from xero_python.api_client import ApiClient, Configuration`` to
``from ledgerflow_xero import ApiClient, Configuration`` and pass ``source=``.
"""

from ._version import __version__
from .client import ApiClient
from .configuration import HOST_ENV, SOURCE_ENV, Configuration
from .errors import (
    InvalidHostError,
    InvalidSourceError,
    LedgerflowCompatibilityWarning,
    LedgerflowError,
    RoutingError,
    UnsupportedApiError,
    UpstreamError,
    UpstreamSuiteError,
)
from .patching import is_patched, patch, unpatch
from .routing import DEFAULT_HOST, ROUTES, UNSUPPORTED_APIS, Router, is_xero_host, route, validate_host
from .sources import Source, parse_source

__all__ = [
    "DEFAULT_HOST",
    "HOST_ENV",
    "ROUTES",
    "SOURCE_ENV",
    "UNSUPPORTED_APIS",
    "ApiClient",
    "Configuration",
    "InvalidHostError",
    "InvalidSourceError",
    "LedgerflowCompatibilityWarning",
    "LedgerflowError",
    "Router",
    "RoutingError",
    "Source",
    "UnsupportedApiError",
    "UpstreamError",
    "UpstreamSuiteError",
    "__version__",
    "is_patched",
    "is_xero_host",
    "parse_source",
    "patch",
    "route",
    "unpatch",
    "validate_host",
]
