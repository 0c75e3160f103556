"""What a routed request does on the wire: timeouts, typed errors, opt-in retries, token calls.

:func:`send` wraps the one call ``ApiClient.request`` makes to xero-python's transport:

- every routed request has a timeout: ``Configuration(timeout=(connect, read))``, by default
  :data:`DEFAULT_TIMEOUT` (10 s to connect, 60 s between bytes), and an overall deadline
  (connect + read) that a server dripping bytes cannot stretch: when it passes, the
  connection is shut and :class:`~ledgerflow_xero.TransportError` raised. A caller's own
  ``_request_timeout`` (a number or a pair) takes precedence and sets the deadline the same way;
- nothing is retried and no ``Retry-After`` is slept unless the configuration has a
  :class:`RetryPolicy` (urllib3's own retries are turned off: they would re-send a read
  that timed out, and sleep out any ``Retry-After``, however long);
- requests ask for gzip (``Accept-Encoding: gzip``); urllib3 decodes it;
- xero-python's own token calls (refresh, client credentials, revocation) that fail in any
  way — refusal, reset, cut-off body, garbage encoding, timeout, an answer without a usable
  access token — raise :class:`~ledgerflow_xero.TokenRefreshError` before xero-python
  stores anything; a token answer is normalised (:mod:`ledgerflow_xero.token_answer`) before
  xero-python sees it, and a refresh is single-flight (:mod:`ledgerflow_xero.token_store`);
- any other request that gets no complete HTTP answer raises :class:`~ledgerflow_xero.TransportError`.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import random
import time
from http.client import HTTPConnection
from typing import Any, Callable, Dict, FrozenSet, Iterable, Tuple, Union

import urllib3

from . import _log
from ._deadline import PREPARED_MARK, prepare_pool, within_deadline
from ._log import logger, safe_url
from ._xero import HTTPStatusException
from .errors import InvalidRetryPolicyError, TokenRefreshError, TransportError
from .routing import Router, describe

IDEMPOTENT_METHODS: FrozenSet[str] = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
DEFAULT_TIMEOUT: Tuple[float, float] = (10.0, 60.0)
"""Seconds to connect, and seconds allowed between two reads of the answer."""
_MAX_DETAIL = 200


Timeout = Union[float, Tuple[float, float]]


def _cut(value: object, limit: int = 100) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_timeout(timeout: object, name: str = "timeout") -> Tuple[float, float]:
    """``timeout`` as (connect, read) seconds; a single number is used for both.

    Raises :class:`ValueError` (a ``LedgerflowError``) naming the bad value."""
    from .errors import InvalidTimeoutError

    def seconds(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
            raise InvalidTimeoutError(
                f"{name}={_cut(timeout)}: expected seconds > 0, or a pair (connect, read) of them"
            )
        return float(value)

    if isinstance(timeout, tuple) and len(timeout) == 2:
        return seconds(timeout[0]), seconds(timeout[1])
    value = seconds(timeout)
    return value, value


class RetryPolicy:
    """Send an idempotent request again when the server says "later" (429, 503).

    Off unless given: ``Configuration(..., retry=RetryPolicy())``. ``attempts`` counts every
    try, the first included. The wait is the answer's ``Retry-After`` (seconds or an HTTP
    date); without one, ``backoff`` seconds doubled per retry. Each wait is lengthened by a
    random fraction up to ``jitter`` (0.1: up to 10 %), so clients told to wait the same
    time do not all come back at once. A wait longer than ``max_wait``, or one that would
    take the request past ``budget`` seconds since its first try, is not sat out: the error
    is raised at once, so a daily rate limit does not hang a program. POST and PATCH are
    never retried (they may not be idempotent). ``sleep`` is how to wait (tests pass a
    recorder). Immutable, comparable, picklable.
    """

    __slots__ = ("attempts", "statuses", "methods", "backoff", "max_wait", "jitter", "budget", "sleep")
    attempts: int
    statuses: FrozenSet[int]
    methods: FrozenSet[str]
    backoff: float
    max_wait: float
    jitter: float
    budget: float
    sleep: Callable[[float], None]

    def __init__(
        self,
        attempts: int = 3,
        *,
        statuses: Iterable[int] = (429, 503),
        methods: Iterable[str] = IDEMPOTENT_METHODS,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        jitter: float = 0.1,
        budget: float = 300.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            raise InvalidRetryPolicyError(f"RetryPolicy attempts={_cut(attempts)}: expected an int >= 1")
        for name, value in (("backoff", backoff), ("max_wait", max_wait), ("jitter", jitter), ("budget", budget)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < math.inf:
                raise InvalidRetryPolicyError(f"RetryPolicy {name}={_cut(value)}: expected seconds >= 0")
        if jitter > 1:
            raise InvalidRetryPolicyError(f"RetryPolicy jitter={_cut(jitter)}: expected a fraction from 0 to 1")
        status_set = _collection("statuses", statuses, int)
        if any(not 100 <= status <= 599 for status in status_set):
            raise InvalidRetryPolicyError(f"RetryPolicy statuses={_cut(statuses)}: expected HTTP statuses 100-599")
        method_set = frozenset(method.upper() for method in _collection("methods", methods, str))
        unsafe = method_set - IDEMPOTENT_METHODS
        if unsafe:
            raise InvalidRetryPolicyError(
                f"RetryPolicy methods {_cut(sorted(unsafe))} are not idempotent; allowed: {sorted(IDEMPOTENT_METHODS)}"
            )
        if not callable(sleep):
            raise InvalidRetryPolicyError(f"RetryPolicy sleep={_cut(sleep)}: expected a callable taking seconds")
        settings: Tuple[Tuple[str, object], ...] = (
            ("attempts", attempts), ("statuses", status_set), ("methods", method_set), ("backoff", backoff),
            ("max_wait", max_wait), ("jitter", jitter), ("budget", budget), ("sleep", sleep),
        )
        for name, setting in settings:
            object.__setattr__(self, name, setting)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("RetryPolicy is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("RetryPolicy is immutable")

    def _settings(self) -> Dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __reduce__(self) -> Any:
        settings = self._settings()
        attempts = settings.pop("attempts")
        return (_rebuild_policy, (attempts, settings))

    def __copy__(self) -> RetryPolicy:
        return self

    def __deepcopy__(self, memo: Dict[int, Any]) -> RetryPolicy:
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RetryPolicy):
            return NotImplemented
        return self._settings() == other._settings()

    def __hash__(self) -> int:
        return hash((self.attempts, self.statuses, self.methods, self.backoff, self.max_wait, self.jitter, self.budget))

    def __repr__(self) -> str:
        return (
            f"RetryPolicy(attempts={self.attempts}, statuses={sorted(self.statuses)}, methods={sorted(self.methods)}, "
            f"backoff={self.backoff}, max_wait={self.max_wait}, jitter={self.jitter}, budget={self.budget})"
        )

    def wait_before_retry(
        self, method: str, status: int | None, retry_after: str | None, attempt: int, elapsed: float = 0.0,
    ) -> float | None:
        """Seconds to wait before try ``attempt + 1``, or None when the error must be raised."""
        if attempt >= self.attempts or status not in self.statuses or method.upper() not in self.methods:
            return None
        wait = parse_retry_after(retry_after)
        if wait is None:
            wait = self.backoff * 2 ** (attempt - 1)
        if wait > self.max_wait:
            return None
        wait *= 1 + random.random() * self.jitter
        return wait if elapsed + wait <= self.budget else None


def _rebuild_policy(attempts: int, settings: Dict[str, Any]) -> RetryPolicy:
    return RetryPolicy(attempts, **settings)


def _collection(name: str, values: object, kind: type) -> FrozenSet[Any]:
    """``values`` as a frozenset of ``kind``; a bare string or number is refused (``"429"``
    would otherwise become ``{'4', '2', '9'}``)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidRetryPolicyError(
            f"RetryPolicy {name}={_cut(values)}: expected a collection of {kind.__name__}, e.g. "
            + ("(429, 503)" if kind is int else "('GET',)")
        )
    items = list(values)
    for item in items:
        if isinstance(item, bool) or not isinstance(item, kind):
            raise InvalidRetryPolicyError(
                f"RetryPolicy {name} item {_cut(item)} is not {'an' if kind is int else 'a'} {kind.__name__}"
            )
    return frozenset(items)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """A ``Retry-After`` header as seconds from now (RFC 9110 10.2.3): delay-seconds or an
    HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def request_timeouts(configured: Any, requested: Any) -> Tuple[Tuple[float, float], float]:
    """The (connect, read) pair to send with and the overall deadline in seconds: the
    caller's ``_request_timeout`` when given (a number bounds the whole request), else the
    configuration's ``timeout``, else :data:`DEFAULT_TIMEOUT`."""
    if requested:
        if isinstance(requested, tuple):
            connect, read = check_timeout(requested, "_request_timeout")
            return (connect, read), connect + read
        total = check_timeout(requested, "_request_timeout")[0]
        return (total, total), total
    connect, read = configured if configured else DEFAULT_TIMEOUT
    return (connect, read), connect + read


def _timed(request: Callable[..., Any], seconds: float, method: str, url: str, args: Tuple[Any, ...],
           kwargs: Dict[str, Any], read_body: bool) -> Any:
    """``request(...)`` (and, for an unread answer, reading its body) within ``seconds``."""

    def call() -> Any:
        response = request(method, url, *args, **kwargs)
        if read_body:
            response.data  # noqa: B018 - reads (and decodes) the body within the deadline
        return response

    return within_deadline(seconds, None, call)


# --- sending ----------------------------------------------------------------------------------


def send(
    api_client: Any,
    request: Callable[..., Any],
    method: str,
    url: str,
    args: Tuple[Any, ...],
    kwargs: Dict[str, Any],
    router: Router | None,
    policy: RetryPolicy | None,
    timeout: Tuple[float, float] | None = None,
) -> Any:
    """``request(method, url, *args, **kwargs)`` for a routed client: with its timeouts
    (``timeout``, the configuration's, else :data:`DEFAULT_TIMEOUT`) and deadline, gzip, typed
    errors, the token-call rules and its retry policy. ``kwargs`` is this call's own dict, with
    a ``headers`` dict of its own (both are changed)."""
    pool_manager = api_client.rest_client.pool_manager
    if PREPARED_MARK not in vars(pool_manager):
        prepare_pool(pool_manager)
    requested = kwargs.get("_request_timeout")
    pair, seconds = request_timeouts(timeout, requested)
    if requested or PREPARED_MARK not in vars(pool_manager):
        # A prepared pool applies the call's timeouts itself; anything else is given them here.
        kwargs["_request_timeout"] = pair
    headers = kwargs["headers"]
    if "accept-encoding" not in map(str.lower, headers):
        headers["Accept-Encoding"] = "gzip"
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("%s %s", method, safe_url(url))
    if HTTPConnection.debuglevel and not _log.debug_warned:
        _log.warn_debug_once()  # xero-python's debug=True turns this on for every connection
    if method == "POST" and router is not None and url in (router.url_for("token"), router.url_for("revocation")):
        from . import token_store  # the token-call rules; loaded on the first token call

        kwargs["_request_timeout"] = pair
        return token_store.token_call(api_client, request, method, url, args, kwargs, seconds,
                                      revocation=url == router.url_for("revocation"))
    attempt = 1
    started = time.monotonic() if policy is not None else 0.0
    waited = 0.0
    while True:
        try:
            return within_deadline(seconds, pair, lambda: request(method, url, *args, **kwargs))
        except HTTPStatusException as error:
            if policy is None:
                raise
            # Time spent so far: real time, or the waits when ``sleep`` does not really sleep.
            spent = max(time.monotonic() - started, waited)
            wait = policy.wait_before_retry(method, error.status, _header(error, "Retry-After"), attempt, spent)
            if wait is None:
                raise
            logger.info("%s %s answered %s; retry %d of %d in %.1f s", method, safe_url(url), error.status,
                        attempt, policy.attempts - 1, wait)
            policy.sleep(wait)
            waited += wait
            attempt += 1
        except urllib3.exceptions.HTTPError as error:
            if router is None:
                raise
            raise transport_error(method, url, error) from error


def _reason(error: Exception) -> str:
    reason = getattr(error, "reason", None) or error
    return f"{type(reason).__name__}: {reason}"[:_MAX_DETAIL]


def transport_error(method: str, url: str, error: Exception) -> TransportError:
    """The typed error for a request that got no HTTP answer (raise it ``from error``)."""
    return TransportError(f"{method} {describe(url)} got no complete answer ({_reason(error)})")


def _header(error: Any, name: str) -> str | None:
    headers = error.headers
    return headers.get(name) if headers is not None else None


def secrets_of(api_client: Any, *extra: str | None) -> Tuple[str, ...]:
    """The secrets a message about ``api_client`` must not show."""
    token = getattr(api_client.configuration, "oauth2_token", None)
    names = ("client_secret", "refresh_token", "access_token", "id_token")
    values = [getattr(token, name, None) for name in names] + list(extra)
    return tuple(value for value in values if isinstance(value, str))


def redact(text: str, secrets: Tuple[str, ...]) -> str:
    """``text`` with each secret replaced, cut to a readable length."""
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, "<redacted>")
    return text[:_MAX_DETAIL]


def json_object(body: Any) -> Dict[str, Any] | None:
    """``body`` (bytes or text) as a JSON object, or None."""
    try:
        value = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
    except (AttributeError, TypeError, UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def token_refusal(url: str, status: int | None, body: Any, secrets: Tuple[str, ...]) -> TokenRefreshError:
    """The typed error for a token endpoint's non-200 answer."""
    fields = json_object(body) or {}
    error = fields.get("error") if isinstance(fields.get("error"), str) else None
    description = fields.get("error_description") if isinstance(fields.get("error_description"), str) else None
    error = redact(error, secrets) if error else None
    description = redact(description, secrets) if description else None
    detail = (error or "no OAuth error code") + (f" ({description})" if description else "")
    return TokenRefreshError(
        f"token endpoint {safe_url(url)} answered HTTP {status}: {detail}; the stored token set is unchanged",
        status=status,
        error=error,
        error_description=description,
    )
