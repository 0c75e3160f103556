"""``ledgerflow-xero route``: print the Ledgerflow URL of Xero URLs."""

from __future__ import annotations

import argparse
from typing import Any

from .routing import DEFAULT_HOST, Router


def _route_command(args: argparse.Namespace) -> int:
    router = Router(args.source, args.host, source_in_accounting_path=not args.no_accounting_source)
    for url in args.urls:
        print(router.route(url))
    return 0


def register(subparsers: Any) -> None:
    """Add the ``route`` subcommand."""
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
