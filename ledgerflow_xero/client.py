"""``ApiClient``: xero-python's client, with every request routed at its one choke point."""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, Tuple

from xero_python.api_client import ApiClient as XeroApiClient

from ._log import logger, safe_url
from .configuration import Configuration
from .errors import MalformedResponseError, RoutingError
from .resilience import send
from .routing import Router, url_targets_xero
from .token_answer import stored_token

_GUARD_MARK = "_ledgerflow_unguarded_urlopen"  # set on a pool manager once guard_pool_manager() wrapped it


class _GlobalRouting:
    """The router :func:`ledgerflow_xero.patch` installed for clients without their own."""

    router: Router | None = None


def active_router_for(api_client: Any) -> Router | None:
    """The router a client's requests go through: its configuration's, else the global
    patch's, else None (the client is left untouched)."""
    router = getattr(api_client.configuration, "ledgerflow_router", None)
    return router if router is not None else _GlobalRouting.router


def dispatch(
    api_client: Any,
    send_request: Callable[..., Any],
    method: str,
    url: str,
    args: Tuple[Any, ...],
    kwargs: Dict[str, Any],
) -> Any:
    """Send one request of ``api_client`` with ``send_request`` (xero-python's ``request``):
    routed when the client has a router (its own, else the global patch's), with typed
    errors and the client's retry policy; untouched when it has neither.

    Runs on every request, so it is written for speed: :func:`active_router_for` and
    :func:`guard_pool_manager` inlined, and a direct path for the common case (routed, no
    retry policy, not a token call).
    """
    settings = vars(api_client.configuration)
    router = settings.get("_ledgerflow_router") or _GlobalRouting.router
    policy = settings.get("_ledgerflow_retry")
    if router is None:
        if policy is None:  # unconfigured: exactly xero-python
            return send_request(method, url, *args, **kwargs)
    else:
        if _GUARD_MARK not in vars(api_client.rest_client.pool_manager):
            guard_pool_manager(api_client)
        try:
            url = router.route(url)
        except RoutingError as refusal:
            logger.warning("refused %s %s: %s", method, safe_url(url), refusal)
            raise
    return send(api_client, send_request, method, url, args, kwargs, router, policy)


def guard_pool_manager(api_client: Any) -> None:
    """Make the client's urllib3 pool refuse, before any I/O, every request to a
    ``*.xero.com`` host while the client is routed: the routed URL and every redirect."""
    pool_manager = api_client.rest_client.pool_manager
    if _GUARD_MARK in vars(pool_manager):
        return
    unguarded_urlopen = pool_manager.urlopen

    def urlopen(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if url_targets_xero(url) and active_router_for(api_client) is not None:
            logger.warning("refused %s %s: a Xero host from a Ledgerflow client", method, safe_url(url))
            raise RoutingError(
                f"refusing to send {method} to a Xero host from a Ledgerflow client: "
                f"{url.split('?', 1)[0]!r} (a redirect or an unrouted URL)"
            )
        return unguarded_urlopen(method, url, *args, **kwargs)

    # urllib3 follows a redirect with self.urlopen(...), so an instance attribute sees it too.
    setattr(pool_manager, _GUARD_MARK, unguarded_urlopen)
    pool_manager.urlopen = urlopen


class ApiClient(XeroApiClient):
    """xero-python's ``ApiClient`` that sends its requests to Ledgerflow.

    Takes exactly xero-python's arguments. With a :class:`~ledgerflow_xero.Configuration`
    that names a source, every request (API calls, connections, token refresh, revocation,
    client credentials) is routed through the routing table, and Xero URLs the table
    cannot map raise before any I/O. With no source, or a plain xero-python configuration,
    it behaves exactly like xero-python's client (unless :func:`~ledgerflow_xero.patch`
    is active, which routes every client that has no settings of its own).

    A routed client also fails in typed ways (see :mod:`ledgerflow_xero.resilience`):
    ``TokenRefreshError`` when xero-python's own token calls fail (the stored token set is
    left unchanged), ``TransportError`` when no answer comes, ``MalformedResponseError`` for
    a body that is not JSON; and it retries 429/503 when its configuration has a ``retry=``
    :class:`~ledgerflow_xero.RetryPolicy`.
    """

    _ledgerflow_routes_itself = True

    def __init__(self, configuration: Any | None = None, *args: Any, **kwargs: Any) -> None:
        if configuration is None:
            configuration = Configuration()
        super().__init__(configuration, *args, **kwargs)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        return dispatch(self, super().request, method, url, args, kwargs)

    def get_oauth2_token(self) -> Any:
        """xero-python's token getter; for a routed client the stored set is repaired first
        (a ``scope`` string, extra keys) so xero-python can use it (see ``token_answer``)."""
        token = super().get_oauth2_token()
        return stored_token(token) if active_router_for(self) is not None else token

    def deserialize(self, response: Any, response_type: Any, response_model_finder: Any) -> Any:
        """xero-python's deserialization; a routed client's non-JSON body raises
        :class:`~ledgerflow_xero.MalformedResponseError` instead of a bare ``ValueError``."""
        try:
            return super().deserialize(response, response_type, response_model_finder)
        except ValueError as error:
            if active_router_for(self) is None:
                raise
            problem = json_problem(getattr(response, "data", b""))
            if problem is None:
                raise
            content_type = response.getheader("Content-Type") or "no content type"
            raise MalformedResponseError(
                f"Ledgerflow answered HTTP {response.status} ({content_type}) with a body that is not valid JSON: "
                f"{problem}; expected {response_type}"
            ) from error


def json_problem(body: Any) -> str | None:
    """Why ``body`` is not JSON, or None when it is."""
    try:
        json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
    except (UnicodeDecodeError, ValueError) as error:
        return f"{type(error).__name__}: {error}"
    except TypeError:
        return "no body"
    return None
