"""Put ``scripts/`` on ``sys.path`` so tests can import the maintainer tooling (``ledgerflow_tools``),
which the wheel does not ship. Called by the conftest of tests/compat and tests/upstream."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Dict

SCRIPTS_DIR = Path(__file__).resolve().parents[1] / "scripts"


def add_tools_to_path() -> None:
    """Idempotent: ``scripts/`` goes first on ``sys.path`` once."""
    if str(SCRIPTS_DIR) not in sys.path:
        sys.path.insert(0, str(SCRIPTS_DIR))


def tools_env() -> Dict[str, str]:
    """This process's environment with ``scripts/`` on ``PYTHONPATH``, for a subprocess that
    loads the tooling (``pytest -p ledgerflow_tools.compat.plugin``)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SCRIPTS_DIR), env.get("PYTHONPATH")]))
    return env
