"""ledgerflow-xero: run a xero-python program against QuickBooks Online and Sage through Ledgerflow.

Change ``from xero_python.api_client import ApiClient, Configuration`` to
``from ledgerflow_xero import ApiClient, Configuration`` and pass ``source=``.
"""

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .client import ApiClient
from .configuration import Configuration
from .errors import (
    HostNotAllowedError,
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
    UnsupportedOperationError,
)
from .patching import is_patched, patch, patched, unpatch
from .resilience import RetryPolicy
from .routing import DEFAULT_HOST, Router, route
from .sources import Source
from .token_store import TokenStore

if TYPE_CHECKING:
    from .check import check_paths
    from .oauth import (
        AuthorizationRequest,
        OAuthEndpoints,
        TokenSet,
        authorization_url,
        exchange_code,
        normalise_token_set,
        oauth_endpoints,
        validate_access_token,
        validate_id_token,
    )
    from .oauth import (
        endpoints as endpoints,  # the earlier name of oauth_endpoints
    )
    from .sandbox import Sandbox, running_sandbox
    from .sql_store import SQLTokenStore

# The sign-in helpers and the sandbox load on first use (PEP 562): most programs that route
# xero-python never sign in or start a sandbox from the same process.
_LAZY = {
    "AuthorizationRequest": "oauth",
    "OAuthEndpoints": "oauth",
    "TokenSet": "oauth",
    "authorization_url": "oauth",
    "endpoints": "oauth",
    "exchange_code": "oauth",
    "normalise_token_set": "oauth",
    "oauth_endpoints": "oauth",
    "validate_access_token": "oauth",
    "validate_id_token": "oauth",
    "Sandbox": "sandbox",
    "SQLTokenStore": "sql_store",  # needs the optional SQLAlchemy (the sql extra)
    "running_sandbox": "sandbox",
    "check_paths": "check",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_HOST",
    "ApiClient",
    "AuthorizationRequest",
    "Configuration",
    "HostNotAllowedError",
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
    "Sandbox",
    "SandboxConfigError",
    "SQLTokenStore",
    "Source",
    "StateMismatchError",
    "TokenRefreshError",
    "TokenRequestError",
    "TokenStoreError",
    "TokenSet",
    "TokenStore",
    "TokenValidationError",
    "TransportError",
    "UnsupportedApiError",
    "UnsupportedOperationError",
    "__version__",
    "authorization_url",
    "check_paths",
    "exchange_code",
    "is_patched",
    "normalise_token_set",
    "oauth_endpoints",
    "patch",
    "patched",
    "route",
    "running_sandbox",
    "unpatch",
    "validate_access_token",
    "validate_id_token",
]
