"""The command line of the compatibility runner: ``scripts/run_upstream_tests.py`` (and ``tox -e compat``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from ledgerflow_xero.errors import LedgerflowError
from ledgerflow_xero.routing import DEFAULT_HOST

from .matrix import KNOWN_LIMITS, MATRIX_RELEASES, run_matrix, write_compatibility
from .paths import checkout_root
from .runner import DEFAULT_SOURCE, NEWEST_TESTED, run_suite

DESCRIPTION = (
    "Run xero-python's own test suite (from its sdist) with Ledgerflow routing active, in a cached "
    "throwaway virtual environment, with the Prism mock of the accounting API. Exits non-zero when a "
    "test fails that is not a documented deviation."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The runner's options, shared by the script and the subcommand."""
    parser.add_argument("--xero-python", default=NEWEST_TESTED, metavar="VERSION", help="the release to test")
    parser.add_argument("--source", default=str(DEFAULT_SOURCE), help="source to route to (default 1004)")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"Ledgerflow host (default {DEFAULT_HOST})")
    parser.add_argument("--spec", type=Path, help="accounting spec for Prism (default ../shared/specs/...)")
    parser.add_argument(
        "--offline", action="store_true", help="no Prism: run the other tests, report the Prism ones as not run"
    )
    parser.add_argument("--cache-dir", type=Path, help="cache folder (default ~/.cache/ledgerflow-xero)")
    parser.add_argument("--deviations", type=Path, help="deviations file (default: the one beside this module)")
    parser.add_argument("--matrix", action="store_true", help="run several releases and write COMPATIBILITY.md")
    parser.add_argument(
        "--releases",
        default=",".join(MATRIX_RELEASES),
        help="comma-separated releases for --matrix (default: the newest of each major)",
    )
    parser.add_argument("--output", type=Path, help="where --matrix writes COMPATIBILITY.md")


def run(args: argparse.Namespace) -> int:
    """Run what the options ask for; returns the exit status."""
    if args.matrix:
        releases = [release.strip() for release in args.releases.split(",") if release.strip()]
        results = run_matrix(
            releases, args.source, offline=args.offline, spec=args.spec, host=args.host, cache=args.cache_dir
        )
        root = checkout_root()
        output = args.output or (root / "COMPATIBILITY.md" if root else Path("COMPATIBILITY.md"))
        write_compatibility(results, output)
        print(f"wrote {output}")
        # Releases whose own suite fails without the shim are documented, not counted against it.
        return 0 if all(result.ok or result.release in KNOWN_LIMITS for result in results) else 1
    result = run_suite(
        args.xero_python,
        args.source,
        offline=args.offline,
        spec=args.spec,
        host=args.host,
        cache=args.cache_dir,
        deviations_file=args.deviations,
    )
    print(result.report())
    return 0 if result.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """``scripts/run_upstream_tests.py``."""
    parser = argparse.ArgumentParser(prog="run_upstream_tests.py", description=DESCRIPTION)
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except LedgerflowError as error:
        print(f"run_upstream_tests.py: error: {error}", file=sys.stderr)
        return 2
