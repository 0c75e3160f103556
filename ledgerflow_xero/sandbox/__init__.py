"""A local Ledgerflow for demos and tests: ``ledgerflow-xero sandbox``, or in Python::

    from ledgerflow_xero.sandbox import running_sandbox

    with running_sandbox(seed=1) as sandbox:
        sandbox.base_url            # http://127.0.0.1:<free port>, the host= to give Configuration
        sandbox.client_id, sandbox.client_secret, sandbox.redirect_uri   # the demo client

Needs the ``sandbox`` extra (PyJWT with cryptography): ``pip install "ledgerflow-xero[sandbox]"``.
The server classes load on first use, so the command line (and this package's client
registry) works without the extra.
"""

from typing import TYPE_CHECKING, Any

from .clients import (
    DEMO_CLIENT,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REDIRECT_URI,
    RegisteredClient,
    parse_client_spec,
)

if TYPE_CHECKING:  # for type checkers; at run time they load on first use (below)
    from .server import SANDBOX_SOURCES, Sandbox, running_sandbox

_FROM_SERVER = ("SANDBOX_SOURCES", "Sandbox", "running_sandbox")


def __getattr__(name: str) -> Any:
    if name in _FROM_SERVER:
        try:
            from . import server
        except ImportError as missing:
            from ..errors import MissingExtraError

            raise MissingExtraError(
                f"the Ledgerflow sandbox needs the 'sandbox' extra: pip install 'ledgerflow-xero[sandbox]' ({missing})"
            ) from None
        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEMO_CLIENT",
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_REDIRECT_URI",
    "SANDBOX_SOURCES",
    "RegisteredClient",
    "Sandbox",
    "parse_client_spec",
    "running_sandbox",
]
