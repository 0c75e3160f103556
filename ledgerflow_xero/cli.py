"""The ``ledgerflow-xero`` command line.

Each subcommand lives in a feature module with a ``register(subparsers)`` function. Only the
parser is built eagerly; a module is imported when its subcommand runs, so ``--version`` and
``route`` work whatever the other features need (optional extras, POSIX-only modules).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Dict, Sequence, Tuple

from ._cli_support import run_command
from ._version import __version__

# subcommand -> (module with register(subparsers), one-line help); loaded when it runs.
COMMANDS: Dict[str, Tuple[str, str]] = {
    "route": (".routing_cli", "print the Ledgerflow URL for Xero URLs"),
    "authorize-url": (".oauth.cli", "print a Ledgerflow login URL (with PKCE) for a source"),
    "sandbox": (".sandbox.cli", "run a local Ledgerflow with sample data for 1001, 1004 and 1009"),
    "demo": (".demo", "sign in to a local sandbox and read every source with xero-python"),
    "check": (".check", "list a program's xero-python calls and whether Ledgerflow serves each (migration check)"),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; ``command``'s own module is loaded to add its arguments, the
    others are listed by name and help only."""
    parser = argparse.ArgumentParser(
        prog="ledgerflow-xero",
        description="Route xero-python programs to QuickBooks Online and Sage through Ledgerflow.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        if name == command:
            importlib.import_module(module_name, __package__).register(subparsers)
        else:
            subparsers.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    command = next((word for word in arguments if not word.startswith("-")), None)
    args = build_parser(command).parse_args(arguments)
    return run_command(args.handler, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
