#!/usr/bin/env python3
"""Vet xero-python releases newer than patches/UPSTREAM; see ledgerflow_xero/upstream/sync.py.

python scripts/sync_upstream.py            # --check: report only, exit 0 when all green
python scripts/sync_upstream.py --write    # on success, record the release, widen pyproject
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ledgerflow_xero.upstream.sync import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["--root", str(ROOT), *sys.argv[1:]]))
