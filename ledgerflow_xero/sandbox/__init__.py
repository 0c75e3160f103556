"""A local Ledgerflow for demos and tests: ``ledgerflow-xero sandbox``, or in Python::

    from ledgerflow_xero.sandbox import running_sandbox

    with running_sandbox(seed=1) as sandbox:
        sandbox.base_url            # http://127.0.0.1:<free port>, the host= to give Configuration
        sandbox.client_id, sandbox.client_secret, sandbox.redirect_uri   # the demo client

Needs the ``sandbox`` extra (PyJWT with cryptography): ``pip install "ledgerflow-xero[sandbox]"``.
"""

from .clients import (
    DEMO_CLIENT,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REDIRECT_URI,
    RegisteredClient,
    parse_client_spec,
)
from .server import SANDBOX_SOURCES, Sandbox, running_sandbox

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
