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


def _scale(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        raise argparse.ArgumentTypeError(f"--scale must be a whole number from 1 to 1000, not {text[:20]!r}")
    return int(text)


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
        scale=args.scale,
        accounting_upstream=args.accounting_upstream,
        forward_unserved=args.forward_unserved,
    )
    sandbox.deny_consent = args.deny_consent  # before the banner, which says so
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
    parser.add_argument(
        "--seed", type=int, default=None, help="make the books (ids, figures) and connection ids repeatable"
    )
    parser.add_argument(
        "--scale",
        type=_scale,
        default=1,
        metavar="N",
        help="grow each company's books N times (e.g. --scale 100 for 10,000+ invoices, to test paging and sync)",
    )
    parser.add_argument(
        "--deny-consent",
        action="store_true",
        help="refuse every sign-in at consent (redirect back with error=access_denied), to test an app's refusal path",
    )
    parser.add_argument(
        "--accounting-upstream",
        metavar="URL",
        default=None,
        help="a spec mock (e.g. Prism on Xero's accounting spec) to forward unserved operations to, "
        "with --forward-unserved",
    )
    parser.add_argument(
        "--forward-unserved",
        action="store_true",
        help="forward operations Ledgerflow does not serve (writes, removed resources) to --accounting-upstream "
        "instead of refusing them; Ledgerflow itself refuses them",
    )
    parser.set_defaults(handler=_sandbox_command)
