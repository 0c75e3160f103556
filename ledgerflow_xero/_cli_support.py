"""How every ``ledgerflow-xero`` subcommand ends: one line on stderr, never a traceback.

Exit status 2 for a usage error (argparse's own, and a bad value such as an unknown
source), 1 for a failure while running (a busy port, a refused token request), 130 for
Ctrl+C.
"""

from __future__ import annotations

import argparse
import errno
import sys
from typing import Any, Callable

from .errors import LedgerflowError

PROG = "ledgerflow-xero"


def _cut(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def port_number(text: str) -> int:
    """argparse type of a TCP port: 0 (any free port) to 65535."""
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{_cut(repr(text), 100)} is not a port number (0-65535)") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0-65535; 0 picks a free one)")
    return value


def run_command(handler: Callable[[argparse.Namespace], Any], args: argparse.Namespace) -> int:
    """Run a subcommand's handler; turn what it raises into one line and an exit status."""
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except LedgerflowError as error:
        print(f"{PROG}: error: {_cut(str(error))}", file=sys.stderr)
        return 2 if isinstance(error, ValueError) else 1
    except OSError as error:
        detail = error.strerror or str(error)
        if error.errno == errno.EADDRINUSE:
            detail = f"{detail} (another program is listening on that port; pick another with --port)"
        print(f"{PROG}: error: {_cut(detail)}", file=sys.stderr)
        return 1
    except (ValueError, OverflowError) as error:
        print(f"{PROG}: error: {_cut(str(error))}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - a command line prints one line, not a traceback
        print(f"{PROG}: error: {type(error).__name__}: {_cut(str(error))}", file=sys.stderr)
        return 1
