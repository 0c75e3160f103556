"""How a compatibility-suite run becomes the sync report's line: only a full, clean run passes."""

from __future__ import annotations

from ledgerflow_tools.compat.runner import Result
from ledgerflow_tools.upstream.compat_adapter import result_to_check


def test_a_full_clean_run_passes() -> None:
    result = Result("15.2.0", 1004, collected=168, passed=166, deviations=2, summary_line="166 passed, 2 xfailed in 9s")
    check = result_to_check(result)
    assert check.passed
    assert check.summary == (
        "166 passed, 2 xfailed in 9s (168 collected, 166 passed, 2 documented deviations, 0 failed, 0 not run; "
        "source 1004)"
    )


def test_an_offline_run_does_not_vet_a_release() -> None:
    result = Result("15.2.0", 1004, offline=True, collected=168, passed=157, not_run=11)
    check = result_to_check(result)
    assert result.ok and not check.passed
    assert check.details == ["11 tests need the Prism mock and were not run: a release is vetted only in full"]


def test_failures_are_named() -> None:
    result = Result("16.0.0", 1004, collected=168, passed=167, failed=1, failures={"tests/test_x.py::test_y": "boom"})
    check = result_to_check(result)
    assert not check.passed
    assert check.details == ["FAILED tests/test_x.py::test_y: boom"]
