"""``ApiClient``: xero-python's client, with every request routed at its one choke point and
its connection pool limited to the hosts the client may reach."""

from __future__ import annotations

import functools
import json
import weakref
from typing import Any, Callable, Dict, Tuple

from ._log import logger, safe_url
from ._xero import XeroApiClient, XeroConfiguration
from .configuration import Configuration
from .errors import MalformedResponseError, RoutingError
from .resilience import RetryPolicy, send
from .routing import Router
from .surface import DEFAULT_CONTRACT, ContractOptions, before_request
from .token_answer import stored_token
from .vetting import check_vetted_xero_python


class GlobalRouting:
    """The router :func:`ledgerflow_xero.patch` installed for clients without their own, and
    the pool managers whose guard it added (and :func:`~ledgerflow_xero.unpatch` removes)."""

    router: Router | None = None
    contract: ContractOptions = DEFAULT_CONTRACT  # patch()'s allow_unserved_operations, tenant header
    guarded_pools: weakref.WeakSet[Any] = weakref.WeakSet()


# Their Ledgerflow settings are plain instance attributes (a xero-python one has none), read
# straight from __dict__; any other configuration (a subclass) is read through its properties.
_PLAIN_CONFIGURATIONS = (Configuration, XeroConfiguration)


def ledgerflow_settings(configuration: Any) -> Dict[str, Any]:
    """A configuration's Ledgerflow settings by attribute name (``_ledgerflow_router``,
    ``_ledgerflow_retry``, ``_ledgerflow_contract``, ``_ledgerflow_timeout``); a missing one is
    absent or None."""
    if type(configuration) in _PLAIN_CONFIGURATIONS:
        settings: Dict[str, Any] = configuration.__dict__
        return settings
    return {
        "_ledgerflow_router": getattr(configuration, "ledgerflow_router", None),
        "_ledgerflow_retry": getattr(configuration, "ledgerflow_retry", None),
        "_ledgerflow_contract": getattr(configuration, "_ledgerflow_contract", None),
        "_ledgerflow_timeout": getattr(configuration, "ledgerflow_timeout", None),
    }


def router_of(configuration: Any) -> Router | None:
    """The router a configuration's requests go through: its own Ledgerflow settings, else
    the global patch's, else None (the client is left untouched)."""
    return ledgerflow_settings(configuration).get("_ledgerflow_router") or GlobalRouting.router


def dispatch(
    api_client: Any,
    send_request: Callable[..., Any],
    method: str,
    url: str,
    args: Tuple[Any, ...],
    kwargs: Dict[str, Any],
) -> Any:
    """Send one request of ``api_client`` with ``send_request`` (xero-python's ``request``).

    A client with a router (its own, else the global patch's) has the URL routed and its
    destination checked against the allowlist before anything is sent, then gets the typed
    errors and retry policy of :func:`ledgerflow_xero.resilience.send`. A client with neither
    router nor retry policy is left exactly as xero-python sends.
    """
    settings = ledgerflow_settings(api_client.configuration)
    own_router: Router | None = settings.get("_ledgerflow_router")
    router = own_router or GlobalRouting.router
    policy: RetryPolicy | None = settings.get("_ledgerflow_retry")
    if router is None and policy is None:
        return send_request(method, url, *args, **kwargs)
    headers: Dict[str, Any] = dict(kwargs.get("headers") or ())  # ours to add to; the caller's stays as it was
    kwargs["headers"] = headers
    if router is not None:
        try:
            url = router.destination(url)
            # The operation table: refuse what Ledgerflow does not serve, add its tenant header.
            if own_router:
                contract = settings.get("_ledgerflow_contract") or DEFAULT_CONTRACT
            else:
                contract = GlobalRouting.contract
            send_request = before_request(contract, method, url, router.accounting_url, headers, send_request)
        except RoutingError as refusal:
            logger.warning("refused %s %s: %s", method, safe_url(url), refusal)
            raise
    return send(api_client, send_request, method, url, args, kwargs, router, policy,
                settings.get("_ledgerflow_timeout"))


def guard_pool_manager(pool_manager: Any, router_getter: Callable[[], Router | None]) -> None:
    """Make ``pool_manager`` refuse, before any DNS lookup or socket, every connection the
    client's router does not allow — the routed URL, each redirect hop (urllib3 follows them
    through ``self.urlopen``), a proxy, and anything sent through the pool directly.

    urllib3 asks ``connection_from_host`` for every connection with the host it has parsed,
    so the check sees exactly the host that would be resolved. ``router_getter`` is asked on
    each connection; while it returns None the pool behaves as urllib3's own.
    """
    if is_guarded(pool_manager):
        return
    unguarded = pool_manager.connection_from_host

    def connection_from_host(
        host: str | None, port: int | None = None, scheme: str | None = "http", pool_kwargs: Any = None
    ) -> Any:
        router = router_getter()
        if router is not None:
            try:
                router.check_destination(host, scheme)
                proxy = getattr(pool_manager, "proxy", None)
                if proxy is not None:
                    router.check_destination(proxy.host, "https")
            except RoutingError as refusal:
                logger.warning("refused a connection: %s", refusal)
                raise
        return unguarded(host, port, scheme, pool_kwargs)

    pool_manager.connection_from_host = connection_from_host


def is_guarded(pool_manager: Any) -> bool:
    """True once :func:`guard_pool_manager` has guarded ``pool_manager``."""
    return "connection_from_host" in vars(pool_manager)


def unguard_pool_manager(pool_manager: Any) -> None:
    """Undo :func:`guard_pool_manager`: urllib3's own method applies again."""
    pool_manager.__dict__.pop("connection_from_host", None)


class ApiClient(XeroApiClient):  # type: ignore[misc]  # xero-python is untyped
    """xero-python's ``ApiClient`` that sends its requests to Ledgerflow.

    Takes exactly xero-python's arguments. With a :class:`~ledgerflow_xero.Configuration` that
    names a source, every request (API calls, connections, token refresh, revocation, client
    credentials) is routed through the routing table, Xero URLs the table cannot map raise
    before any I/O, and the client's connection pool reaches only its Ledgerflow host,
    loopback addresses and the configuration's ``allowed_hosts``
    (:class:`~ledgerflow_xero.HostNotAllowedError` otherwise). With no source, or a plain
    xero-python configuration, it behaves exactly like xero-python's client (unless
    :func:`~ledgerflow_xero.patch` is active, which routes every client that has no settings
    of its own).

    A routed client also fails in typed ways (see :mod:`ledgerflow_xero.resilience`):
    ``TokenRefreshError`` when xero-python's own token calls fail (the stored token set is
    left unchanged), ``TransportError`` when no answer comes, ``MalformedResponseError`` for a
    body that is not JSON; and it retries 429/503 when its configuration has a ``retry=``
    :class:`~ledgerflow_xero.RetryPolicy`.
    """

    _ledgerflow_routes_itself = True

    def __init__(self, configuration: Any | None = None, *args: Any, **kwargs: Any) -> None:
        if configuration is None:
            configuration = Configuration()
        XeroApiClient.__init__(self, configuration, *args, **kwargs)
        pool_manager = self.rest_client.pool_manager
        unguard_pool_manager(pool_manager)  # patch() may have guarded it: this client keeps its own
        GlobalRouting.guarded_pools.discard(pool_manager)
        guard_pool_manager(pool_manager, lambda: router_of(self.configuration))
        if getattr(configuration, "_ledgerflow_router", None) is not None:
            check_vetted_xero_python()  # warns once per process on a release never vetted

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        return dispatch(self, functools.partial(XeroApiClient.request, self), method, url, args, kwargs)

    def get_oauth2_token(self) -> Any:
        """xero-python's token getter; for a routed client the stored set is repaired first
        (a ``scope`` string, extra keys) so xero-python can use it (see ``token_answer``)."""
        token = XeroApiClient.get_oauth2_token(self)
        return stored_token(token) if router_of(self.configuration) is not None else token

    def deserialize(self, response: Any, response_type: Any, response_model_finder: Any) -> Any:
        """xero-python's deserialization; a routed client's non-JSON body raises
        :class:`~ledgerflow_xero.MalformedResponseError` instead of a bare ``ValueError``."""
        try:
            return XeroApiClient.deserialize(self, response, response_type, response_model_finder)
        except ValueError as error:
            if router_of(self.configuration) is None:
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
