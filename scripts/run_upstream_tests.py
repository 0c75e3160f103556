#!/usr/bin/env python3
"""Run xero-python's own test suite with Ledgerflow routing active; see ``--help``.

A thin wrapper over :mod:`ledgerflow_tools.compat` (also ``tox -e compat``). Run it with the
project's environment: ``.venv/bin/python scripts/run_upstream_tests.py``.
"""

import sys
from pathlib import Path

# The checkout (for ledgerflow_xero when not installed); scripts/ itself is sys.path[0] (ledgerflow_tools).
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from ledgerflow_tools.compat.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
