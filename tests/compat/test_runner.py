"""Runner pieces that need no network: sdist filtering, pytest's summary line, verdicts,
and clear typed errors when Prism cannot be had."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from ledgerflow_tools.compat import prism as prism_module
from ledgerflow_tools.compat.prism import PrismServer, install_prism
from ledgerflow_tools.compat.runner import _SUMMARY, Result, _extract_tests, _wanted
from ledgerflow_tools.errors import UpstreamSuiteError


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ("xero_python-15.2.0/tests/conftest.py", "tests/conftest.py"),
        ("xero_python-15.2.0/tests/cassettes/test_vcr.yaml", "tests/cassettes/test_vcr.yaml"),
        ("xero_python-15.2.0/setup.cfg", "setup.cfg"),
        ("xero_python-15.2.0/xero_python/api_client/__init__.py", None),  # never shadow the installed SDK
        ("xero_python-15.2.0/setup.py", None),
        ("xero_python-15.2.0/tests/../../evil.py", None),
        ("setup.cfg", None),
    ],
)
def test_only_tests_and_setup_cfg_are_taken_from_the_sdist(member: str, expected: str | None) -> None:
    assert _wanted(member) == expected


def test_extract_tests_from_a_tarball(tmp_path: Path) -> None:
    archive = tmp_path / "xero_python-9.9.9.tar.gz"
    with tarfile.open(archive, "w:gz") as bundle:
        for name, text in [("x-9.9.9/tests/test_a.py", b"def test_a(): pass\n"), ("x-9.9.9/xero_python/a.py", b"")]:
            info = tarfile.TarInfo(name)
            info.size = len(text)
            bundle.addfile(info, io.BytesIO(text))
    target = tmp_path / "out"
    target.mkdir()
    _extract_tests(archive, target)
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file()) == ["tests/test_a.py"]


@pytest.mark.parametrize(
    "line",
    ["167 passed, 1 xfailed in 11.41s", "=== 1 failed, 156 passed, 11 skipped, 1 xfailed in 0.52s ===",
     "168 passed in 12.10s (0:00:12)"],
)  # fmt: skip
def test_pytest_summary_line_is_recognised(line: str) -> None:
    match = _SUMMARY.match(line)
    assert match and "passed" in match.group(1)


def test_progress_lines_are_not_summaries() -> None:
    assert _SUMMARY.match("....................x...                                                 [100%]") is None


def test_verdicts() -> None:
    full = Result("15.2.0", 1004, collected=168, passed=167, deviations=1)
    assert full.ok and full.verdict == "pass" and full.run == 168
    offline = Result("15.2.0", 1004, offline=True, collected=168, passed=156, deviations=1, not_run=11)
    assert offline.ok and offline.run == 157 and offline.verdict == "pass; 11 not run (offline)"
    failing = Result("15.2.0", 1004, collected=168, passed=166, deviations=1, failed=1, failures={"t": "why"})
    assert not failing.ok and failing.verdict == "FAIL" and "FAILED t: why" in failing.report()
    broken = Result("1.0.0", 1004, error="pip cannot install")
    assert not broken.ok and broken.verdict == "cannot run"
    assert not Result("15.2.0", 1004).ok, "a run that collected nothing proves nothing"


def test_missing_spec_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UpstreamSuiteError, match=r"accounting spec .* not available .*--offline"):
        PrismServer(tmp_path / "missing.yaml", cache=tmp_path)


def test_missing_npm_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prism_module.shutil, "which", lambda name: None)
    with pytest.raises(UpstreamSuiteError, match=r"npm is not on PATH.*--offline"):
        install_prism(tmp_path, echo=lambda line: None)
