"""``ledgerflow-xero authorize-url``: print a login URL for a source, with its state and PKCE verifier."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..routing import DEFAULT_HOST
from .authorize import authorization_url


def _authorize_url_command(args: argparse.Namespace) -> int:
    request = authorization_url(
        args.client_id,
        args.redirect_uri,
        args.scope,
        source=args.source,
        host=args.host,
        state=args.state,
        pkce=not args.no_pkce,
    )
    if args.json:
        print(json.dumps({"url": request.url, "state": request.state, "code_verifier": request.code_verifier}))
    else:
        print(request.url)
        print(f"state: {request.state}")
        if request.code_verifier:
            print(f"code_verifier: {request.code_verifier}")
    return 0


def register(subparsers: Any) -> None:
    """Add the ``authorize-url`` subcommand."""
    parser = subparsers.add_parser(
        "authorize-url",
        help="print a Ledgerflow login URL, its state and PKCE code verifier",
        description="Print the URL that sends a user to Ledgerflow's login, then the state and the PKCE "
        "code verifier to keep for the code exchange. The verifier is a secret: do not log it.",
    )
    parser.add_argument("--source", required=True, help="1001, 1004, 1009 or a name such as quickbooks")
    parser.add_argument("--client-id", required=True, help="your Ledgerflow app's client id")
    parser.add_argument("--redirect-uri", required=True, help="where Ledgerflow sends the user back")
    parser.add_argument("--scope", required=True, help='space-separated scopes, e.g. "openid offline_access"')
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"Ledgerflow host (default {DEFAULT_HOST})")
    parser.add_argument("--state", default=None, help="the state to send (default: a random one)")
    parser.add_argument("--no-pkce", action="store_true", help="leave out the PKCE code challenge")
    parser.add_argument("--json", action="store_true", help="print {url, state, code_verifier} as JSON")
    parser.set_defaults(handler=_authorize_url_command)
