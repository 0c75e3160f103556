"""Maintainer tooling for ledgerflow-xero; not part of the wheel users install.

- :mod:`ledgerflow_tools.compat`: xero-python's own test suite run with Ledgerflow routing on
  (``scripts/run_upstream_tests.py``, ``tox -e compat``), and the pytest plugin that does it.
- :mod:`ledgerflow_tools.upstream`: vetting new xero-python releases (``scripts/sync_upstream.py``)
  and building the patched fork (``scripts/build_fork.py``).

The entry points in ``scripts/`` put this folder on ``sys.path``; so do ``tests/compat`` and
``tests/upstream`` (their ``conftest.py``), and the compatibility runner (``PYTHONPATH``) for the
suite it runs in a throwaway environment.
"""

from pathlib import Path

TOOLS_DIR = Path(__file__).resolve().parent
"""This package's folder."""
SCRIPTS_DIR = TOOLS_DIR.parent
"""``scripts/``: what goes on ``sys.path`` / ``PYTHONPATH`` so ``import ledgerflow_tools`` works."""
CHECKOUT_ROOT = SCRIPTS_DIR.parent
"""The project checkout the tooling belongs to (it only ever runs from one)."""
