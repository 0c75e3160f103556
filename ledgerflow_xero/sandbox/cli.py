"""``ledgerflow-xero sandbox``: serve the local Ledgerflow until interrupted."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any, List

from .._cli_support import port_number
from ..errors import SandboxConfigError
from .clients import RegisteredClient, parse_client_spec

DEFAULT_PORT = 8765


def _clients_from_file(path: str) -> List[RegisteredClient]:
    """One ``ID:SECRET:REDIRECT_URI`` per line; blank lines and ``#`` comments are skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise SandboxConfigError(f"cannot read clients file {path!r}: {error.strerror}") from None
    return [parse_client_spec(line.strip()) for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _sandbox_command(args: argparse.Namespace) -> int:
    from . import Sandbox  # raises MissingExtraError, naming the extra, when PyJWT is absent

    clients = [parse_client_spec(spec) for spec in args.client]
    for path in args.clients_file:
        clients += _clients_from_file(path)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    sandbox = Sandbox(
        host=args.host,
        port=args.port,
        clients=clients,
        include_demo_client=not args.no_demo_client,
        seed=args.seed,
        accounting_upstream=args.accounting_upstream,
    )
    print(sandbox.describe(), flush=True)
    print("Press Ctrl+C to stop.", flush=True)
    try:
        sandbox.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return 0


def register(subparsers: Any) -> None:
    """Add the ``sandbox`` subcommand."""
    parser = subparsers.add_parser(
        "sandbox",
        help="serve a local Ledgerflow (sign-in, connections, accounting data) for sources 1001, 1004, 1009",
        description="Serve a local stand-in for Ledgerflow on loopback: OAuth sign-in with PKCE, tokens, "
        "connections and a built-in organisation per source. Point Configuration(host=...) at the printed URL.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help=f"port (default {DEFAULT_PORT}; 0: any free)")
    parser.add_argument(
        "--client",
        action="append",
        default=[],
        metavar="ID:SECRET:REDIRECT_URI",
        help="register a client (repeatable; an empty SECRET makes a public PKCE client)",
    )
    parser.add_argument(
        "--clients-file", action="append", default=[], metavar="PATH", help="a file of ID:SECRET:REDIRECT_URI lines"
    )
    parser.add_argument("--no-demo-client", action="store_true", help="do not register the built-in demo client")
    parser.add_argument("--seed", type=int, default=None, help="make tenant, connection and record ids repeatable")
    parser.add_argument(
        "--accounting-upstream",
        metavar="URL",
        default=None,
        help="forward accounting calls the built-in data does not answer to this URL (e.g. Prism on the spec)",
    )
    parser.set_defaults(handler=_sandbox_command)
