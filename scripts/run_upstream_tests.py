#!/usr/bin/env python3
"""Run xero-python's own test suite with Ledgerflow routing active; see ``--help``.

A thin wrapper over :mod:`ledgerflow_xero.compat` (also ``ledgerflow-xero compat`` and
``tox -e compat``). Run it with the project's environment: ``.venv/bin/python scripts/run_upstream_tests.py``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ledgerflow_xero.compat.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
