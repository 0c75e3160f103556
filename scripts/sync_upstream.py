#!/usr/bin/env python3
"""Vet xero-python releases newer than patches/UPSTREAM; see scripts/ledgerflow_tools/upstream/sync.py.

python scripts/sync_upstream.py            # --check: report only, exit 0 when all green
python scripts/sync_upstream.py --write    # on success, record the release, widen pyproject
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The checkout (for ledgerflow_xero when not installed); scripts/ itself is sys.path[0] (ledgerflow_tools).
sys.path.insert(1, str(ROOT))

from ledgerflow_tools.upstream.sync import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["--root", str(ROOT), *sys.argv[1:]]))
