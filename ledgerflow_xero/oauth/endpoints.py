"""``endpoints()``: the Ledgerflow URLs an OAuth library needs, read from the routing table."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Dict

from ..routing import DEFAULT_HOST, XERO_JWKS_URL, router_for
from ..sources import SourceLike


@dataclass(frozen=True)
class OAuthEndpoints:
    """Where sign-in and the API live for one source on one Ledgerflow host.

    The field names follow what OAuth libraries call these settings; :meth:`as_dict`
    gives them as a plain dict.
    """

    authorize_url: str
    token_url: str
    revocation_url: str
    jwks_uri: str
    openid_configuration_url: str
    api_base_url: str
    connections_url: str

    def as_dict(self) -> Dict[str, str]:
        """The endpoints as a plain ``{name: url}`` dict."""
        return asdict(self)


def oauth_endpoints(source: SourceLike, host: str = DEFAULT_HOST) -> OAuthEndpoints:
    """The Ledgerflow URLs for ``source`` on ``host`` (default Ledgerflow's production host).

    >>> oauth_endpoints(1004).token_url
    'https://xero.api.ledgerscope.com/1004/connect/token'
    """
    router = router_for(source, host)
    return OAuthEndpoints(
        authorize_url=router.url_for("authorize"),
        token_url=router.url_for("token"),
        revocation_url=router.url_for("revocation"),
        jwks_uri=router.route(XERO_JWKS_URL),
        openid_configuration_url=router.url_for("openid-configuration"),
        api_base_url=router.url_for("accounting"),
        connections_url=router.url_for("connections"),
    )


endpoints = oauth_endpoints
"""The earlier name of :func:`oauth_endpoints`, kept so existing code keeps working."""
