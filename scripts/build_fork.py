#!/usr/bin/env python3
"""Build xero-python with patches/ applied; see ledgerflow_xero/upstream/fork.py.

python scripts/build_fork.py --xero-python 15.2.0 [--out DIR] [--keep-source DIR]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ledgerflow_xero.upstream.fork import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
