"""Sign-in through Ledgerflow: the login redirect (with PKCE), the code exchange, token
validation, and the endpoint URLs OAuth libraries need.

Every URL comes from :mod:`ledgerflow_xero.routing`.
"""

from ._http import DEFAULT_TIMEOUT
from .authorize import AuthorizationRequest, authorization_url, code_challenge, normalise_scope
from .endpoints import OAuthEndpoints, endpoints, oauth_endpoints
from .tokens import TOKEN_SET_KEYS, TokenSet, exchange_code, normalise_token_set
from .validation import DEFAULT_LEEWAY, clear_signing_key_cache, validate_access_token, validate_id_token

__all__ = [
    "DEFAULT_LEEWAY",
    "DEFAULT_TIMEOUT",
    "TOKEN_SET_KEYS",
    "AuthorizationRequest",
    "OAuthEndpoints",
    "TokenSet",
    "authorization_url",
    "clear_signing_key_cache",
    "code_challenge",
    "endpoints",
    "exchange_code",
    "normalise_scope",
    "normalise_token_set",
    "oauth_endpoints",
    "validate_access_token",
    "validate_id_token",
]
