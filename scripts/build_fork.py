#!/usr/bin/env python3
"""Build xero-python with patches/ applied; see scripts/ledgerflow_tools/upstream/fork.py.

python scripts/build_fork.py --xero-python 15.2.0 [--out DIR] [--keep-source DIR]
"""

import sys
from pathlib import Path

# The checkout (for ledgerflow_xero when not installed); scripts/ itself is sys.path[0] (ledgerflow_tools).
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from ledgerflow_tools.upstream.fork import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
