"""Where a client's token set lives, and how a refresh happens once.

The :class:`TokenStore` protocol
--------------------------------
xero-python reads the token set through ``oauth2_token_getter`` and writes it through
``oauth2_token_saver``. A store is an object with two methods, passed as that pair:

- ``get() -> dict``: the current token set (the keys xero-python's ``update_token`` takes);
- ``save(token: dict) -> None``: replace it — atomically: a reader sees the old set or the
  new one, never a mix.

and, for stores shared between threads or processes, one more:

- ``refresh_once(stale: Mapping, refresh: Callable[[str], dict]) -> dict``: under a lock
  that every sharer of the store respects (a row lock, a Redis lock, ...), re-read the
  stored set; if it is no longer ``stale`` (another sharer refreshed already) and its
  access token is still fresh, return it without calling ``refresh``; otherwise call
  ``refresh(refresh_token)`` with the stored refresh token, save its result and return it.
  ``stale`` holds the ``access_token`` and ``refresh_token`` the caller found expired.

Pass ``store.get`` and ``store.save`` to xero-python's ``ApiClient``; a Ledgerflow client
finds the store through them and uses ``refresh_once`` when it has one. Whatever the
store, refreshes of one refresh token within a process are single-flight: the first
caller refreshes, the others wait (bounded by the request deadline) and get its result.
:class:`TokenStore` keeps the set in memory (one process); :class:`~ledgerflow_xero.SQLTokenStore`
keeps it in a database row shared by processes. A Redis or Django ORM store implements
the three methods the same way.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from typing import Any, Callable, Dict, List, Mapping, Tuple

import urllib3

from ._deadline import DeadlineExceeded
from ._log import logger, safe_url
from ._xero import HTTPStatusException
from .errors import InvalidArgumentError, TokenRefreshError
from .resilience import _reason, _timed, json_object, redact, secrets_of, token_refusal
from .token_answer import is_fresh, stored_token, token_answer

Refresh = Callable[[str], Dict[str, Any]]


def is_superseded(current: Mapping[str, Any], stale: Mapping[str, Any]) -> bool:
    """True when ``current`` is another, still fresh token set than the ``stale`` one a caller
    wants to refresh: somebody refreshed already, so it must not be refreshed again."""
    changed = (current.get("refresh_token") != stale.get("refresh_token")
               or current.get("access_token") != stale.get("access_token"))
    return changed and is_fresh(current)


class TokenStore:
    """One token set in memory, shared by every thread (and client) of a process.

    Pass ``store.get`` as xero-python's ``oauth2_token_getter`` and ``store.save`` as its
    ``oauth2_token_saver``. ``saved`` keeps each distinct token set saved since
    construction, in order (how tests and load runs check that a refresh was saved exactly
    once). Its repr names no token.
    """

    LOCK_TIMEOUT = 120.0  # seconds a refresh waits for another one of the same store

    def __init__(self, token: Mapping[str, Any]) -> None:
        if not isinstance(token, Mapping):
            raise InvalidArgumentError(
                f"TokenStore token: expected a token set (a dict such as exchange_code returns), "
                f"not {type(token).__name__}"
            )
        self.token: Dict[str, Any] = dict(token)
        self.saved: List[Dict[str, Any]] = []
        self._lock = threading.Lock()
        self._refresh_lock = threading.Lock()

    def get(self) -> Dict[str, Any]:
        """The current token set (xero-python's token getter)."""
        with self._lock:
            return self.token

    def save(self, token: Mapping[str, Any]) -> None:
        """Replace the token set and record the save (xero-python's token saver). Saving the
        set already stored changes nothing."""
        with self._lock:
            if dict(token) == self.token:
                return
            self.token = dict(token)
            self.saved.append(dict(token))

    def refresh_once(self, stale: Mapping[str, Any], refresh: Refresh) -> Dict[str, Any]:
        """See the module's protocol: refresh unless another caller already did."""
        if not self._refresh_lock.acquire(timeout=self.LOCK_TIMEOUT):
            raise TokenRefreshError(
                f"another refresh of this token store did not finish within {self.LOCK_TIMEOUT:g} s; "
                "the stored token set is unchanged"
            )
        try:
            current = self.get()
            if is_superseded(current, stale):
                return dict(current)
            new = refresh(current.get("refresh_token") or stale["refresh_token"])
            self.save(new)
            return new
        finally:
            self._refresh_lock.release()

    def __repr__(self) -> str:
        return f"TokenStore(keys={sorted(self.token)}, saves={len(self.saved)})"

    def __reduce__(self) -> Any:
        return (TokenStore, (self.token,))


# --- single flight within a process -----------------------------------------------------------


class _Flight:
    __slots__ = ("done", "result", "error", "finished_at", "owner")

    def __init__(self, owner: int) -> None:
        self.owner = owner
        self.done = threading.Event()
        self.result: Dict[str, Any] | None = None
        self.error: TokenRefreshError | None = None
        self.finished_at = 0.0


class _Flights:
    """Refreshes in progress (and just finished) by refresh token: a second caller with the
    same refresh token waits for the first and takes its result instead of sending a token
    the server has already retired."""

    KEEP = 60.0  # seconds a result stays available to callers that read the old set late

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: Dict[str, _Flight] = {}

    def run(self, key: str, wait: float, refresh: Callable[[], Dict[str, Any]], *,
            reuse_finished: bool, owner: int) -> Tuple[Dict[str, Any], bool]:
        """(the token set, whether this call refreshed). A caller joins a refresh in progress;
        one arriving after it finished takes its result only when ``reuse_finished`` (no store
        to re-read) and it reads its token set from the same ``owner`` (the same getter's
        object) as the caller that refreshed — a client with its own token set sends its own
        request, and hears from the server if that refresh token was already used."""
        now = time.monotonic()
        with self._lock:
            for old_key in [k for k, f in self._flights.items() if f.done.is_set() and now - f.finished_at > self.KEEP]:
                del self._flights[old_key]
            flight = self._flights.get(key)
            leader = flight is None or (flight.done.is_set() and (
                flight.error is not None or not reuse_finished or flight.owner != owner))
            if leader:
                flight = self._flights[key] = _Flight(owner)
        assert flight is not None
        if leader:
            try:
                flight.result = refresh()
                return flight.result, True
            except TokenRefreshError as error:
                flight.error = error
                raise
            except BaseException as error:
                flight.error = TokenRefreshError(f"the refresh failed ({type(error).__name__})")
                raise
            finally:
                flight.finished_at = time.monotonic()
                flight.done.set()
        if not flight.done.wait(wait):
            raise TokenRefreshError(
                f"another client's refresh of this token set did not finish within {wait:g} s; "
                "the stored token set is unchanged"
            )
        if flight.error is not None or flight.result is None:
            failed = flight.error
            raise TokenRefreshError(
                f"the refresh this client waited for failed: {failed}",
                status=getattr(failed, "status", None), error=getattr(failed, "error", None),
                error_description=getattr(failed, "error_description", None),
            )
        return dict(flight.result), False


_flights = _Flights()


def store_of(api_client: Any) -> Any:
    """The store object behind a client's token getter, when it offers ``refresh_once``."""
    getter = getattr(api_client, "_oauth2_token_getter", None)
    store = getattr(getter, "__self__", None)
    return store if callable(getattr(store, "refresh_once", None)) else None


# --- token calls -------------------------------------------------------------------------------


class TokenResponse:
    """The normalised answer handed to xero-python's ``TokenApi`` in place of the wire's."""

    def __init__(self, token: Mapping[str, Any], *, scope_as_text: bool) -> None:
        body = dict(token)
        if scope_as_text and isinstance(body.get("scope"), list):
            body["scope"] = " ".join(body["scope"])  # fetch_access_token splits it again
        self.status = 200
        self.reason = "OK"
        self.data = json.dumps(body).encode("utf-8")
        self.headers = {"Content-Type": "application/json"}

    def getheaders(self) -> Dict[str, str]:
        return dict(self.headers)

    def getheader(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name, default)


def _post(api_client: Any, request: Callable[..., Any], url: str, args: Tuple[Any, ...], kwargs: Dict[str, Any],
          seconds: float, secrets: Tuple[str, ...]) -> Any:
    """One POST to a token endpoint, every fault typed; returns a 200 answer with its body read."""
    try:
        response = _timed(request, seconds, "POST", url, args, kwargs, read_body=True)
    except HTTPStatusException as error:
        logger.warning("token endpoint %s refused: HTTP %s", safe_url(url), error.status)
        raise token_refusal(url, error.status, error.body, secrets) from None
    except urllib3.exceptions.HTTPError as error:
        what = str(error) if isinstance(error, DeadlineExceeded) else _reason(error)
        logger.warning("token endpoint %s gave no complete answer (%s)", safe_url(url), type(error).__name__)
        raise TokenRefreshError(
            f"token endpoint {safe_url(url)} could not be reached or gave no complete answer "
            f"({redact(what, secrets)}); the stored token set is unchanged"
        ) from error
    if response.status != 200:
        logger.warning("token endpoint %s answered HTTP %s", safe_url(url), response.status)
        raise token_refusal(url, response.status, getattr(response, "data", b""), secrets)
    return response


_SECRET_FIELDS = ("refresh_token", "client_secret", "token", "code", "code_verifier")


def _form(kwargs: Mapping[str, Any]) -> Dict[str, str]:
    params = kwargs.get("post_params") or []
    items = params.items() if isinstance(params, Mapping) else params
    return {str(key): value for key, value in items if isinstance(value, str)}


def _with_refresh_token(kwargs: Dict[str, Any], refresh_token: str) -> Dict[str, Any]:
    params = kwargs.get("post_params") or []
    items = list(params.items() if isinstance(params, Mapping) else params)
    changed = dict(kwargs)
    changed["post_params"] = [(k, refresh_token if k == "refresh_token" else v) for k, v in items]
    return changed


def token_call(api_client: Any, request: Callable[..., Any], method: str, url: str, args: Tuple[Any, ...],
               kwargs: Dict[str, Any], seconds: float, *, revocation: bool) -> Any:
    """xero-python's POST to the token or revocation endpoint, by the rules in
    :mod:`ledgerflow_xero.resilience`: every fault a :class:`TokenRefreshError`; the answer
    normalised; a refresh single-flight within the process and, with a store that offers
    ``refresh_once``, across its sharers."""
    form = _form(kwargs)
    secrets = secrets_of(api_client, *(form.get(name) for name in _SECRET_FIELDS))
    if revocation:
        response = _post(api_client, request, url, args, kwargs, seconds, secrets)
        logger.info("token revoked at %s", safe_url(url))
        return response
    grant = form.get("grant_type")

    def exchange(call_kwargs: Dict[str, Any], previous_refresh_token: str | None) -> Dict[str, Any]:
        issued_at = time.time()
        response = _post(api_client, request, url, args, call_kwargs, seconds, secrets)
        answer = json_object(response.data)
        if answer is None:
            content_type = response.headers.get("Content-Type") or "no content type"
            raise TokenRefreshError(
                f"token endpoint {safe_url(url)} answered HTTP 200 with {content_type}, not a JSON token set; "
                "the stored token set is unchanged", status=200,
            )
        token, dropped = token_answer(answer, url=safe_url(url), previous_refresh_token=previous_refresh_token,
                                      requested_scope=form.get("scope"), issued_at=issued_at)
        if dropped:
            logger.debug("token answer fields dropped (xero-python cannot take them): %s", ", ".join(dropped))
        logger.info("token %s at %s", "refreshed" if grant == "refresh_token" else f"issued ({grant})",
                    safe_url(url))
        return token

    if grant != "refresh_token" or not form.get("refresh_token"):
        return TokenResponse(exchange(kwargs, None), scope_as_text=False)

    stale: Dict[str, Any] = {
        "refresh_token": form["refresh_token"],
        "access_token": getattr(api_client.configuration.oauth2_token, "access_token", None),
    }
    store = store_of(api_client)

    def refresh(refresh_token: str) -> Dict[str, Any]:
        call_kwargs = kwargs if refresh_token == form["refresh_token"] else _with_refresh_token(kwargs, refresh_token)
        return exchange(call_kwargs, refresh_token)

    def once() -> Dict[str, Any]:
        if store is None:
            return refresh(form["refresh_token"])
        token = store.refresh_once(stale, refresh)
        if not isinstance(token, Mapping) or not token.get("access_token"):
            raise TokenRefreshError("the token store's refresh_once returned no token set")
        return dict(stored_token(token))  # another process's set, in the shape xero-python takes

    key = hashlib.sha256(f"{url}\n{form['refresh_token']}".encode()).hexdigest()
    getter = getattr(api_client, "_oauth2_token_getter", None)
    owner = id(getattr(getter, "__self__", getter))
    token, refreshed = _flights.run(key, seconds + 10.0, once, reuse_finished=store is None, owner=owner)
    if not refreshed:
        logger.info("token refresh at %s joined another client's refresh", safe_url(url))
    return TokenResponse(token, scope_as_text=True)
