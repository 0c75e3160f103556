"""The ``ledgerflow-xero`` command line.

Each feature module adds its own subcommand through a ``register(subparsers)`` function
listed in :data:`COMMAND_MODULES`, so this file stays a dispatcher.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import List, Sequence

from ._cli_support import run_command
from ._version import __version__
from .routing import DEFAULT_HOST, Router

# Modules with a register(subparsers) function, each adding one or more subcommands.
COMMAND_MODULES: List[str] = [".oauth.cli", ".sandbox.cli", ".demo", ".compat.cli"]


def _route_command(args: argparse.Namespace) -> int:
    router = Router(args.source, args.host, source_in_accounting_path=not args.no_accounting_source)
    for url in args.urls:
        print(router.route(url))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="ledgerflow-xero",
        description="Route xero-python programs to QuickBooks Online and Sage through Ledgerflow.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    route = subparsers.add_parser("route", help="print the Ledgerflow URL for Xero URLs")
    route.add_argument("urls", nargs="+", metavar="URL", help="Xero URL(s) to map")
    route.add_argument("--source", required=True, help="1001, 1004, 1009 or a name such as quickbooks")
    route.add_argument("--host", default=DEFAULT_HOST, help=f"Ledgerflow host (default {DEFAULT_HOST})")
    route.add_argument(
        "--no-accounting-source",
        action="store_true",
        help="leave the source segment off the accounting API path",
    )
    route.set_defaults(handler=_route_command)

    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name, __package__).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    return run_command(args.handler, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
