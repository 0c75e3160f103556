"""ledgerflow-xero: run a xero-python program against QuickBooks Online and Sage through Ledgerflow.

Change ``from xero_python.api_client import ApiClient, Configuration`` to
``from ledgerflow_xero import ApiClient, Configuration`` and pass ``source=``.
"""

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .client import ApiClient
from .configuration import HOST_ENV, SOURCE_ENV, Configuration
from .errors import (
    InvalidArgumentError,
    InvalidHostError,
    InvalidRetryPolicyError,
    InvalidSourceError,
    InvalidTimeoutError,
    InvalidTokenStoreError,
    LedgerflowCompatibilityWarning,
    LedgerflowError,
    MalformedResponseError,
    MissingExtraError,
    OAuthParameterError,
    RoutingError,
    SandboxConfigError,
    StateMismatchError,
    TokenRefreshError,
    TokenRequestError,
    TokenStoreError,
    TokenValidationError,
    TransportError,
    UnsupportedApiError,
    UpstreamError,
    UpstreamSuiteError,
)
from .patching import is_patched, patch, unpatch
from .resilience import RetryPolicy
from .routing import DEFAULT_HOST, ROUTES, UNSUPPORTED_APIS, Router, is_xero_host, route, validate_host
from .sources import Source, parse_source
from .token_store import TokenStore

if TYPE_CHECKING:
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
    from .sql_store import SQLTokenStore

# The sign-in helpers load on first use (PEP 562): most programs that route xero-python never
# sign in from the same process, and importing them eagerly cost ~2.5 ms of every import.
_OAUTH_NAMES = frozenset({
    "AuthorizationRequest", "OAuthEndpoints", "TokenSet", "authorization_url", "endpoints", "exchange_code",
    "normalise_token_set", "validate_access_token", "validate_id_token",
})


def __getattr__(name: str) -> Any:
    if name == "SQLTokenStore":  # needs the optional SQLAlchemy: loaded on first use
        from .sql_store import SQLTokenStore

        globals()[name] = SQLTokenStore
        return SQLTokenStore
    if name in _OAUTH_NAMES:
        from . import oauth

        value = getattr(oauth, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "DEFAULT_HOST",
    "HOST_ENV",
    "ROUTES",
    "SOURCE_ENV",
    "UNSUPPORTED_APIS",
    "ApiClient",
    "AuthorizationRequest",
    "Configuration",
    "InvalidArgumentError",
    "InvalidHostError",
    "InvalidRetryPolicyError",
    "InvalidSourceError",
    "InvalidTimeoutError",
    "InvalidTokenStoreError",
    "LedgerflowCompatibilityWarning",
    "LedgerflowError",
    "MalformedResponseError",
    "MissingExtraError",
    "OAuthEndpoints",
    "OAuthParameterError",
    "RetryPolicy",
    "Router",
    "RoutingError",
    "SQLTokenStore",
    "SandboxConfigError",
    "Source",
    "TokenStore",
    "StateMismatchError",
    "TokenRefreshError",
    "TokenRequestError",
    "TokenSet",
    "TokenStoreError",
    "TokenValidationError",
    "TransportError",
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
