"""The declared range admits vetted releases only, and a routed client on a release never vetted
warns once (issue 14, item 5)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

import ledgerflow_xero
from ledgerflow_xero import LedgerflowCompatibilityWarning, vetting
from ledgerflow_xero._vetted import VETTED_RELEASES

ROOT = Path(__file__).resolve().parents[2]


def declared_range() -> SpecifierSet:
    text = (ROOT / "pyproject.toml").read_text()
    match = re.search(r'^\s*"xero-python([^";]*)"', text, re.MULTILINE)
    assert match, "pyproject.toml declares no xero-python dependency"
    return SpecifierSet(match.group(1))


def test_the_declared_range_ends_at_the_newest_vetted_release() -> None:
    declared = declared_range()
    newest = max(Version(v) for v in VETTED_RELEASES)
    assert newest in declared
    assert Version(f"{newest.major}.{newest.minor}.{newest.micro + 1}") not in declared
    assert Version(f"{newest.major + 1}.0.0") not in declared
    assert all(Version(v) in declared for v in VETTED_RELEASES)


def test_the_vetted_list_is_what_compatibility_md_proves_and_patches_upstream_records() -> None:
    rows = re.findall(r"^\| ([0-9][^ |]*) \|.*\| (pass[^|]*) \|$", (ROOT / "COMPATIBILITY.md").read_text(), re.M)
    assert {version for version, _ in rows} == set(VETTED_RELEASES)
    upstream = [line for line in (ROOT / "patches" / "UPSTREAM").read_text().splitlines() if not line.startswith("#")]
    assert upstream[0] == max(VETTED_RELEASES, key=Version)


@pytest.fixture
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vetting, "_warned", set())


def test_an_unvetted_release_warns_once_and_a_vetted_one_never(fresh_warnings: None) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert vetting.check_vetted_xero_python("15.2.0") is True
        assert vetting.check_vetted_xero_python("15.1.0") is False
        assert vetting.check_vetted_xero_python("15.1.0") is False
    [warning] = caught
    assert warning.category is LedgerflowCompatibilityWarning
    assert "xero-python 15.1.0 was never vetted" in str(warning.message)


def test_routed_clients_warn_once_on_an_unvetted_install(fresh_warnings: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vetting, "installed_xero_python", lambda: "15.8.0")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ledgerflow_xero.ApiClient(ledgerflow_xero.Configuration())  # unconfigured: exactly xero-python, silent
        assert caught == []
        for _ in range(3):
            ledgerflow_xero.ApiClient(ledgerflow_xero.Configuration(source=1004))
    assert [str(w.message)[:33] for w in caught] == ["xero-python 15.8.0 was never vett"]


def test_a_routed_client_on_the_vetted_install_is_silent(fresh_warnings: None) -> None:
    assert vetting.installed_xero_python() in VETTED_RELEASES, "the test environment runs a vetted release"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ledgerflow_xero.ApiClient(ledgerflow_xero.Configuration(source=1004))
    assert [w for w in caught if w.category is LedgerflowCompatibilityWarning] == []
