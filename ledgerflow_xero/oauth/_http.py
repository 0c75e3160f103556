"""The few HTTP calls sign-in makes (token endpoint, discovery, signing keys), over urllib3."""

from __future__ import annotations

import json
import threading
from typing import Any, Dict, Mapping, Tuple
from urllib.parse import urlencode

import urllib3

from .._deadline import prepare_pool, within_deadline
from ..routing import Router

DEFAULT_TIMEOUT = 10.0
"""Seconds allowed to connect, and again to read the answer, for every sign-in request."""

_pool: urllib3.PoolManager | None = None
_pool_lock = threading.Lock()


def _pool_manager() -> urllib3.PoolManager:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = urllib3.PoolManager()
        return _pool


def request(
    method: str,
    url: str,
    *,
    router: Router,
    form: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Tuple[int, bytes]:
    """Send one request and return (status, body). Redirects are not followed and nothing
    is retried; raises urllib3's errors when no answer comes, and
    :class:`~ledgerflow_xero.HostNotAllowedError` for a host outside ``router``'s allowlist
    (a Ledgerflow sign-in talks only to its Ledgerflow host and loopback)."""
    url = router.destination(url)
    all_headers: Dict[str, str] = {"Accept": "application/json"}
    body = None
    if form is not None:
        body = urlencode(form)
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    all_headers.update(headers or {})
    pool = _pool_manager()
    prepare_pool(pool)

    def send() -> Tuple[int, bytes]:
        response = pool.request(
            method,
            url,
            body=body,
            headers=all_headers,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            retries=False,
            redirect=False,
        )
        return response.status, response.data

    # connect + read for the whole exchange, however slowly a server drips its answer
    return within_deadline(2 * timeout, None, send)


def parse_json_object(body: bytes) -> Dict[str, Any] | None:
    """The body as a JSON object, or None when it is not one."""
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None
