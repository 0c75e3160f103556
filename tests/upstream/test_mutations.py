"""Synthetic future releases built from the real 15.2.0 sdist (tests/upstream/mutations.py), vetted
by the same code as ``scripts/sync_upstream.py --sdist``: each must FAIL with the check that
catches it, and the harmless one must PASS.

The dynamic probe runs on the releases whose escape only behaviour shows (and on the harmless one);
its environment is built once and cached (``~/.cache/ledgerflow-xero/probe``), and each release is
installed there once per SHA-256. The compatibility suite is not run here (tests/compat runs it on
the real release; test_sync_real_sdist runs it through --sdist); every other check is.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Dict, Set

import pytest
from packaging.version import Version

from ledgerflow_tools.upstream import pypi
from ledgerflow_tools.upstream.checks import CheckResult
from ledgerflow_tools.upstream.probe import NAME as PROBE
from ledgerflow_tools.upstream.probe import ProbeEnvironment
from ledgerflow_tools.upstream.probe_child import REDIRECT_ELSEWHERE
from ledgerflow_tools.upstream.sync import ProbeRunner, ReleaseReport, default_probe_runner, vet_release
from ledgerflow_xero.routing import XERO_URLS

from . import fakes
from .conftest import skip_or_fail
from .mutations import MUTATIONS, VERSION, build_sdist
from .test_sync import host_of

ROOT = Path(__file__).resolve().parents[2]
COMPAT = "compatibility suite"

# mutation -> the checks that must fail (compatibility suite aside); the probe runs where listed.
CAUGHT_BY: Dict[str, Set[str]] = {
    "request bypassed": {"call path", PROBE},
    "token calls through rest_client": {"call path", PROBE},
    "transport swapped to requests": {"transport", PROBE},
    "transport swapped to httpx": {"transport", PROBE},
    "API on a non-xero.com host": {"URL inventory", PROBE},
    "docstring-only change": set(),
    # Caught without running anything (the probe catches the first two as well; see CONTRIBUTING.md):
    "new API class": {"URL inventory"},
    "moved token host": {"URL inventory"},
    "URL from string concatenation": {"URL inventory", "URL sources"},
    "URL from an environment variable": {"URL sources"},
}
STATIC_ONLY = {"new API class", "moved token host", "URL from string concatenation", "URL from an environment variable"}


def test_every_mutation_has_an_expected_verdict() -> None:
    assert set(CAUGHT_BY) == set(MUTATIONS)
    assert {name for name, (_, verdict) in MUTATIONS.items() if verdict == "PASS"} == {
        name for name, checks in CAUGHT_BY.items() if not checks
    }


@pytest.fixture(scope="session")
def probe_runner() -> ProbeRunner:
    """The probe, its environment built (once, cached) from PyPI first: without PyPI this skips
    and says why, and fails under CI."""
    try:
        ProbeEnvironment(pypi.DEFAULT_CACHE_DIR).prepare()
    except RuntimeError as error:
        skip_or_fail(f"cannot build the probe's environment: {error}")
    return default_probe_runner(pypi.DEFAULT_CACHE_DIR)


def _skipped_probe(archive: Path, sha256: str) -> CheckResult:
    return CheckResult(PROBE, True, "not run in this test: the static checks are what is asserted")


_REPORTS: Dict[str, ReleaseReport] = {}


def vet(real_release: Path, name: str, out: Path, probe: ProbeRunner) -> ReleaseReport:
    """The report on mutation ``name`` (each vetted once per session: the tests share them)."""
    if name not in _REPORTS:
        mutation, _ = MUTATIONS[name]
        archive = pypi.cache_sdist(build_sdist(real_release, mutation, out))
        _REPORTS[name] = vet_release(Version(VERSION), archive, ROOT, None, probe, io.StringIO())
    return _REPORTS[name]


@pytest.mark.parametrize("name", sorted(CAUGHT_BY))
def test_synthetic_release_verdict(
    name: str, real_release: Path, tmp_path: Path, probe_runner: ProbeRunner
) -> None:
    report = vet(real_release, name, tmp_path, _skipped_probe if name in STATIC_ONLY else probe_runner)
    checks = {check.name: check for check in report.checks}
    assert not checks[COMPAT].passed  # not run here: a release is never vetted without it
    failing = {check.name for check in report.checks if not check.passed} - {COMPAT}
    assert failing == CAUGHT_BY[name], [f"{c.mark} {c.name}: {c.summary}" for c in report.checks]
    if name not in STATIC_ONLY:
        assert "reached the stand-in under /1004/" in checks[PROBE].summary


def test_the_probe_names_the_host_each_escape_tried(real_release: Path, tmp_path: Path, probe_runner) -> None:
    """Whatever sends: token calls through rest_client, or a bypassed request(), are stopped only
    by the core's allowlist (and would be caught at the socket without it); requests and httpx
    follow a redirect off the stand-in to Xero and to any other host, seen at the socket."""
    token_host, api_host = host_of(XERO_URLS["token"]), host_of(XERO_URLS["accounting"])
    elsewhere = host_of(REDIRECT_ELSEWHERE)
    expected = {
        "token calls through rest_client": [("refresh token", token_host), ("revoke token", token_host)],
        "request bypassed": [("refresh token", token_host), ("connections", api_host)],
        "transport swapped to requests": [("redirect to Xero", api_host), ("redirect to another host", elsewhere)],
        "transport swapped to httpx": [("redirect to Xero", api_host), ("redirect to another host", elsewhere)],
    }
    for name, steps in expected.items():
        report = vet(real_release, name, tmp_path / name.replace(" ", "-"), probe_runner)
        [probe] = [check for check in report.checks if check.name == PROBE]
        for step, host in steps:
            hits = [
                detail
                for detail in probe.details
                if step in detail.split(": ")[1] and (f"tried to reach {host}:" in detail or f"'{host}'" in detail)
            ]
            assert hits, (name, step, host, probe.details[:6])
        if "transport" in name:  # beyond the guards' reach: only the socket hooks see these
            assert all("tried to reach" in detail for detail in probe.details), probe.details


def test_sync_upstream_script_gives_the_verdict_for_a_synthetic_sdist(tmp_path: Path) -> None:
    """The command the issue names, end to end as a subprocess, on a small fake release whose
    call_api sends around request() (the probe and the suite have their own tests above)."""
    files = fakes.release_files()
    files["xero_python/api_client/__init__.py"] = files["xero_python/api_client/__init__.py"].replace(
        "return self.request(method, url)", "return self.rest_client.send(method, url)"
    )
    archive = tmp_path / "xero_python-16.0.0.tar.gz"
    archive.write_bytes(fakes.sdist_bytes("16.0.0", files))
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "sync_upstream.py"), "--sdist", str(archive), "--no-probe",
         "--no-compat", "--cache-dir", str(tmp_path / "cache"), "--report", str(tmp_path / "report.md")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert "[FAIL] 16.0.0 call path: xero_python/api_client/__init__.py:6: ApiClient.__call_api uses rest_client" in (
        "\n".join(lines)
    )
    # (this checkout's patches do not apply to the fake, so that check fails as well)
    assert lines[-2].startswith("Verdict: FAIL: 16.0.0 call path, ")
    assert lines[-2].endswith("16.0.0 dynamic probe, 16.0.0 compatibility suite")
    assert "**Verdict: FAIL" in (tmp_path / "report.md").read_text()
