"""Proof of compatibility: xero-python's own test suite, run with Ledgerflow routing active.

:func:`run_suite` runs one release's suite (``scripts/run_upstream_tests.py``,
``tox -e compat``); :func:`run_matrix` runs several and
writes ``COMPATIBILITY.md``. The pytest plugin that does the routing, cassette
translation and Xero-host guard is :mod:`ledgerflow_tools.compat.plugin`; the documented
deviations are in ``deviations.json`` beside it.
"""

from .deviations import DEVIATIONS_FILE, Deviation, load_deviations
from .matrix import MATRIX_RELEASES, run_matrix, write_compatibility
from .prism import PrismServer, install_prism
from .runner import DEFAULT_SOURCE, NEWEST_TESTED, Result, run_suite

__all__ = [
    "DEFAULT_SOURCE",
    "DEVIATIONS_FILE",
    "MATRIX_RELEASES",
    "NEWEST_TESTED",
    "Deviation",
    "PrismServer",
    "Result",
    "install_prism",
    "load_deviations",
    "run_matrix",
    "run_suite",
    "write_compatibility",
]
