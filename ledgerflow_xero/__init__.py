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
    MissingExtraError,
    OAuthParameterError,
    RoutingError,
    SandboxConfigError,
    StateMismatchError,
    TokenRequestError,
    TokenValidationError,
    UnsupportedApiError,
    UpstreamError,
    UpstreamSuiteError,
)
from .oauth import (
    AuthorizationRequest,
    OAuthEndpoints,
    TokenSet,
    authorization_url,
    endpoints,
    exchange_code,
    normalise_token_set,
    validate_access_token,
    validate_id_token,
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
    "AuthorizationRequest",
    "Configuration",
    "InvalidHostError",
    "InvalidSourceError",
    "LedgerflowCompatibilityWarning",
    "LedgerflowError",
    "MissingExtraError",
    "OAuthEndpoints",
    "OAuthParameterError",
    "Router",
    "RoutingError",
    "SandboxConfigError",
    "Source",
    "StateMismatchError",
    "TokenRequestError",
    "TokenSet",
    "TokenValidationError",
    "UnsupportedApiError",
    "UpstreamError",
    "UpstreamSuiteError",
    "__version__",
    "authorization_url",
    "endpoints",
    "exchange_code",
    "is_patched",
    "is_xero_host",
    "normalise_token_set",
    "parse_source",
    "patch",
    "route",
    "unpatch",
    "validate_access_token",
    "validate_host",
    "validate_id_token",
]
