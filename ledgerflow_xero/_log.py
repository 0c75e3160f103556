"""The package's logger: ``logging.getLogger("ledgerflow_xero")``, silent until the program
configures logging (a ``NullHandler``, as the logging HOWTO asks of libraries).

What is logged: each routed request at DEBUG (method and routed URL without its query),
token refreshes and retries at INFO, refusals at WARNING. Never a token, secret, code or
query string: callers pass only the values below through :func:`safe_url`.
"""

from __future__ import annotations

import logging
import threading
import warnings

logger = logging.getLogger("ledgerflow_xero")
logger.addHandler(logging.NullHandler())

debug_warned = False
"""True once :func:`warn_debug_once` has warned."""
_debug_lock = threading.Lock()


def safe_url(url: str) -> str:
    """``url`` without query, fragment or user info: what a log line may show."""
    url = url.split("#", 1)[0].split("?", 1)[0]
    scheme, sep, rest = url.partition("://")
    if sep:
        authority, slash, path = rest.partition("/")
        authority = authority.rpartition("@")[2]
        return f"{scheme}://{authority}{slash}{path}"
    return url


def warn_debug_once() -> None:
    """Warn, once per process, that xero-python's ``debug=True`` prints secrets."""
    global debug_warned
    with _debug_lock:
        if debug_warned:
            return
        debug_warned = True
    message = (
        "xero-python's Configuration(debug=True) makes http.client print every request and answer to stdout, "
        "including access and refresh tokens, the client secret and authorization codes; "
        "use logging.getLogger('ledgerflow_xero') at DEBUG instead"
    )
    logger.warning(message)
    warnings.warn(message, UserWarning, stacklevel=3)
