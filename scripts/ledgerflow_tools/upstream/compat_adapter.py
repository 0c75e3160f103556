"""The compatibility-suite check of a sync run: :func:`ledgerflow_tools.compat.run_suite` as a report line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List

from packaging.version import Version

from ..compat import run_suite
from ..compat.runner import Result
from ..errors import UpstreamSuiteError
from .checks import CheckResult

NAME = "compatibility suite"


def result_to_check(result: Result) -> CheckResult:
    """A suite run passes the check only if it ran in full (Prism included) and ``result.ok``."""
    counts = (
        f"{result.collected} collected, {result.passed} passed, {result.deviations} documented deviations, "
        f"{result.failed} failed, {result.not_run} not run"
    )
    details: List[str] = [f"FAILED {test}: {why}" for test, why in result.failures.items()]
    if result.error:
        details.insert(0, result.error)
    if result.not_run:
        details.append(f"{result.not_run} tests need the Prism mock and were not run: a release is vetted only in full")
    passed = result.ok and result.not_run == 0
    summary = f"{result.summary_line or 'no pytest summary'} ({counts}; source {result.source})"
    row = [str(result.run), str(result.passed), str(result.deviations), str(result.not_run), result.verdict]
    return CheckResult(NAME, passed, summary, details, data={"row": row})


def run_compatibility_suite(version: Version, archive: Path) -> CheckResult:
    """Run ``version``'s own test suite under the shim, from ``archive``: the sdist the other checks read."""
    try:
        result = run_suite(str(version), stream=False, echo=lambda line: print(line, file=sys.stderr), archive=archive)
    except UpstreamSuiteError as error:
        return CheckResult(NAME, False, f"could not run: {error}")
    return result_to_check(result)
