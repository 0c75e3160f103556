"""What a routed request does when the answer is bad: typed errors, and opt-in retries.

:func:`send` wraps the one call ``ApiClient.request`` makes to xero-python's transport:

- xero-python's own token calls (refresh, client credentials, revocation) that fail raise
  :class:`~ledgerflow_xero.TokenRefreshError` — xero-python would raise a bare ``Exception``
  for a 2xx other than 200, or a ``JSONDecodeError`` for a page that is not JSON — and do so
  before xero-python stores anything, so the saved token set is left as it was;
- a request that gets no HTTP answer raises :class:`~ledgerflow_xero.TransportError`;
- with a :class:`RetryPolicy` (off by default), an idempotent request answered 429 or 503 is
  sent again after the wait its ``Retry-After`` asks for.
"""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any, Callable, Dict, FrozenSet, Iterable, Tuple

import urllib3

from ._xero import HTTPStatusException
from .errors import InvalidRetryPolicyError, TokenRefreshError, TransportError
from .routing import Router, describe

IDEMPOTENT_METHODS: FrozenSet[str] = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_MAX_DETAIL = 200


class RetryPolicy:
    """Send an idempotent request again when the server says "later" (429, 503).

    Off unless given: ``Configuration(..., retry=RetryPolicy())``. ``attempts`` counts every
    try, the first included. The wait is the answer's ``Retry-After`` (seconds or an HTTP
    date); without one, ``backoff`` seconds doubled per retry. A wait longer than
    ``max_wait`` is not sat out: the error is raised at once, so a daily rate limit does
    not hang a program. POST and PATCH are never retried (they may not be idempotent).
    ``sleep`` is how to wait (tests pass a recorder). Immutable once built.
    """

    __slots__ = ("attempts", "statuses", "methods", "backoff", "max_wait", "sleep")
    attempts: int
    statuses: FrozenSet[int]
    methods: FrozenSet[str]
    backoff: float
    max_wait: float
    sleep: Callable[[float], None]

    def __init__(
        self,
        attempts: int = 3,
        *,
        statuses: Iterable[int] = (429, 503),
        methods: Iterable[str] = IDEMPOTENT_METHODS,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            raise InvalidRetryPolicyError(f"RetryPolicy attempts={attempts!r}: expected an int >= 1")
        for name, value in (("backoff", backoff), ("max_wait", max_wait)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < float("inf"):
                raise InvalidRetryPolicyError(f"RetryPolicy {name}={value!r}: expected seconds >= 0")
        method_set = frozenset(method.upper() for method in methods)
        unsafe = method_set - IDEMPOTENT_METHODS
        if unsafe:
            raise InvalidRetryPolicyError(
                f"RetryPolicy methods {sorted(unsafe)} are not idempotent; allowed: {sorted(IDEMPOTENT_METHODS)}"
            )
        settings: Dict[str, object] = {"attempts": attempts, "statuses": frozenset(statuses), "methods": method_set,
                                       "backoff": backoff, "max_wait": max_wait, "sleep": sleep}
        for name, setting in settings.items():
            object.__setattr__(self, name, setting)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("RetryPolicy is immutable")

    def __repr__(self) -> str:
        return (
            f"RetryPolicy(attempts={self.attempts}, statuses={sorted(self.statuses)}, methods={sorted(self.methods)}, "
            f"backoff={self.backoff}, max_wait={self.max_wait})"
        )

    def wait_before_retry(self, method: str, status: int | None, retry_after: str | None, attempt: int) -> float | None:
        """Seconds to wait before try ``attempt + 1``, or None when the error must be raised."""
        if attempt >= self.attempts or status not in self.statuses or method.upper() not in self.methods:
            return None
        wait = parse_retry_after(retry_after)
        if wait is None:
            wait = self.backoff * 2 ** (attempt - 1)
        return wait if wait <= self.max_wait else None


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


def send(
    api_client: Any,
    request: Callable[..., Any],
    method: str,
    url: str,
    args: Tuple[Any, ...],
    kwargs: Dict[str, Any],
    router: Router | None,
    policy: RetryPolicy | None,
) -> Any:
    """``request(method, url, *args, **kwargs)`` with the typed errors and retries above."""
    token_call = method == "POST" and router is not None and (
        url == router.url_for("token") or url == router.url_for("revocation")
    )
    expects_token_set = token_call and url == router.url_for("token")  # type: ignore[union-attr]
    attempt = 1
    while True:
        try:
            response = request(method, url, *args, **kwargs)
        except HTTPStatusException as error:
            if token_call:
                raise _token_refusal(api_client, url, error.status, error.body) from None
            if policy is None:
                raise
            wait = policy.wait_before_retry(method, error.status, _header(error, "Retry-After"), attempt)
            if wait is None:
                raise
            policy.sleep(wait)
            attempt += 1
            continue
        except urllib3.exceptions.HTTPError as error:
            if router is None:
                raise
            if token_call:
                raise TokenRefreshError(f"token endpoint {url} could not be reached ({_reason(error)})") from error
            raise transport_error(method, url, error) from error
        if token_call:
            _check_token_answer(api_client, url, response, expects_token_set)
        return response


def _reason(error: Exception) -> str:
    reason = getattr(error, "reason", None) or error
    return f"{type(reason).__name__}: {reason}"[:_MAX_DETAIL]


def transport_error(method: str, url: str, error: Exception) -> TransportError:
    """The typed error for a request that got no HTTP answer (raise it ``from error``)."""
    return TransportError(f"{method} {describe(url)} got no answer ({_reason(error)})")


def _header(error: Any, name: str) -> str | None:
    headers = error.headers
    return headers.get(name) if headers is not None else None


def _secrets_of(api_client: Any) -> Tuple[str, ...]:
    token = getattr(api_client.configuration, "oauth2_token", None)
    names = ("client_secret", "refresh_token", "access_token", "id_token")
    return tuple(value for value in (getattr(token, name, None) for name in names) if isinstance(value, str))


def _redact(text: str, secrets: Tuple[str, ...]) -> str:
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, "<redacted>")
    return text[:_MAX_DETAIL]


def _json_object(body: Any) -> Dict[str, Any] | None:
    try:
        value = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
    except (AttributeError, TypeError, UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _token_refusal(api_client: Any, url: str, status: int | None, body: Any) -> TokenRefreshError:
    fields = _json_object(body) or {}
    secrets = _secrets_of(api_client)
    error = fields.get("error") if isinstance(fields.get("error"), str) else None
    description = fields.get("error_description") if isinstance(fields.get("error_description"), str) else None
    error = _redact(error, secrets) if error else None
    description = _redact(description, secrets) if description else None
    detail = (error or "no OAuth error code") + (f" ({description})" if description else "")
    return TokenRefreshError(
        f"token endpoint {url} answered HTTP {status}: {detail}; the stored token set is unchanged",
        status=status,
        error=error,
        error_description=description,
    )


def _check_token_answer(api_client: Any, url: str, response: Any, expects_token_set: bool) -> None:
    """What xero-python's ``TokenApi`` assumes of a 2xx, checked so it fails typed instead."""
    status = response.status
    if status != 200:
        raise _token_refusal(api_client, url, status, getattr(response, "data", b""))
    if not expects_token_set:
        return
    answer = _json_object(response.data)  # urllib3 keeps the body, so TokenApi can read it again
    if answer is None or not isinstance(answer.get("access_token"), str):
        content_type = response.headers.get("Content-Type") or "no content type"
        raise TokenRefreshError(
            f"token endpoint {url} answered HTTP 200 with {content_type}, not a JSON token set; "
            "the stored token set is unchanged",
            status=status,
        )
