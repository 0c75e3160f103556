"""scripts/sync_upstream.py against a local package index (a PEP 503 folder served to pip through
``--index-url file://...``) holding synthetic sdists, and against local sdists (``--sdist``).

The probe and the compatibility suite are stood in for here (they have their own tests:
test_mutations.py, tests/compat); the stand-ins record which file they were given, so these tests
prove every check reads the one sdist that was downloaded.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Dict, List
from urllib.parse import urlsplit

import pytest
from packaging.version import Version

from ledgerflow_tools.errors import UpstreamError
from ledgerflow_tools.upstream import pypi
from ledgerflow_tools.upstream import sync as sync_module
from ledgerflow_tools.upstream.checks import CheckResult
from ledgerflow_tools.upstream.sync import (
    extend_range,
    read_vetted,
    read_vetted_sha256,
    sync,
    update_compatibility_row,
    vetted_releases,
)

from . import fakes

PYPROJECT = '[project]\nname = "demo"\ndependencies = [\n    "xero-python>=2.0.0,<=15.2.0",\n    "wrapt>=1.14",\n]\n'
COMPATIBILITY = (
    "# Compatibility\n\n| xero-python | tests run | passed | deviations | not run | result |\n"
    "|---|---|---|---|---|---|\n"
    "| 2.0.0 | 156 | 155 | 1 | 11 | pass |\n| 15.2.0 | 168 | 167 | 1 | 0 | pass |\n\nDeviations seen: x.\n"
)
VETTED = '"""Generated."""\n\nVETTED_RELEASES = (\n    "2.0.0",\n    "15.2.0",\n)\n'


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


class Recorder:
    """Stands in for the probe or the compatibility runner: records the sdist it was given."""

    def __init__(self, name: str, passed: bool = True) -> None:
        self.name = name
        self.passed = passed
        self.archives: List[Path] = []

    def __call__(self, first: object, second: object) -> CheckResult:
        archive = second if isinstance(second, Path) else first
        assert isinstance(archive, Path) and archive.is_file()
        self.archives.append(archive)
        row = ["168", "167", "1", "0", "pass"]
        return CheckResult(self.name, self.passed, "ok" if self.passed else "3 failed", data={"row": row})


@pytest.fixture(autouse=True)
def hermetic_pip(monkeypatch: pytest.MonkeyPatch) -> None:
    """pip reads no configuration file here, so only the test's index is consulted."""
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    monkeypatch.delenv("PIP_EXTRA_INDEX_URL", raising=False)
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project checkout: patches/ with one patch and UPSTREAM at 15.2.0, pyproject, the
    compatibility table and the package's vetted list."""
    root = tmp_path / "project"
    (root / "patches").mkdir(parents=True)
    (root / "patches" / "0001-hosts.patch").write_text(fakes.PATCH)
    (root / "patches" / "UPSTREAM").write_text("# vetted\n15.2.0\n")
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "COMPATIBILITY.md").write_text(COMPATIBILITY)
    (root / "ledgerflow_xero").mkdir()
    (root / "ledgerflow_xero" / "_vetted.py").write_text(VETTED)
    return root


def index(tmp_path: Path, releases: Dict[str, Dict[str, str]]) -> str:
    return fakes.write_index(
        tmp_path / "index", {version: fakes.sdist_bytes(version, files) for version, files in releases.items()}
    )


def run(project: Path, index_url: str | None = None, **options) -> sync_module.SyncReport:
    options.setdefault("compat", Recorder("compatibility suite"))
    options.setdefault("probe", Recorder("dynamic probe"))
    return sync(project, cache_dir=project.parent / "cache", index_url=index_url, progress=io.StringIO(), **options)


def failing(report: sync_module.SyncReport) -> List[CheckResult]:
    return [check for release in report.releases for check in release.checks if not check.passed]


def test_no_new_release_rechecks_the_vetted_one_and_writes_nothing(project: Path, tmp_path: Path) -> None:
    url = index(tmp_path, {"15.1.0": fakes.release_files(), "15.2.0": fakes.release_files()})
    compat = Recorder("compatibility suite")
    report = run(project, url, compat=compat, write=True)
    assert report.passed, report.lines()
    assert "nothing newer than vetted 15.2.0" in report.pypi.summary
    assert [release.version for release in report.releases] == [Version("15.2.0")]
    assert len(compat.archives) == 1
    assert report.written == [f"patches/UPSTREAM: 15.2.0 (sha256 {report.releases[0].sha256})"]
    assert (project / "pyproject.toml").read_text() == PYPROJECT
    assert report.lines()[-1] == "Verdict: PASS: xero-python 15.2.0 vetted, every check green"


def test_a_new_clean_release_is_vetted_and_the_range_admits_exactly_it(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    url = index(tmp_path, {"15.2.0": fakes.release_files(), "16.0.0": fakes.release_files()})
    report_path = project / "report.md"
    status = sync_module.main(
        ["--write", "--root", str(project), "--cache-dir", str(project.parent / "cache"), "--index-url", url,
         "--report", str(report_path)],
        compat=Recorder("compatibility suite"),
        probe=Recorder("dynamic probe"),
    )  # fmt: skip
    out = capsys.readouterr().out
    assert status == 0, out
    assert read_vetted(project) == Version("16.0.0")
    sha = read_vetted_sha256(project)
    assert sha is not None and re.fullmatch(r"[0-9a-f]{64}", sha)
    assert sha == pypi.sha256_of(next((tmp_path / "index" / "xero-python").glob("*16.0.0*")))
    assert '"xero-python>=2.0.0,<=16.0.0",' in (project / "pyproject.toml").read_text()
    assert "| 16.0.0 | 168 | 167 | 1 | 0 | pass |\n\nDeviations" in (project / "COMPATIBILITY.md").read_text()
    assert vetted_releases(project) == [Version("2.0.0"), Version("15.2.0"), Version("16.0.0")]
    names = [line.split(":")[0] for line in out.splitlines() if line.startswith("[")]
    assert names == [
        "[PASS] index",
        "[PASS] 16.0.0 sdist",
        "[PASS] 16.0.0 URL inventory",
        "[PASS] 16.0.0 URL sources",
        "[PASS] 16.0.0 call path",
        "[PASS] 16.0.0 transport",
        "[PASS] 16.0.0 choke point",
        "[PASS] 16.0.0 patches apply",
        "[PASS] 16.0.0 dynamic probe",
        "[PASS] 16.0.0 compatibility suite",
    ]
    markdown = report_path.read_text()
    assert "**Verdict: PASS: xero-python 16.0.0 vetted, every check green**" in markdown
    assert "| 16.0.0 | call path | PASS |" in markdown


def test_every_check_reads_the_one_downloaded_sdist_cached_by_its_sha256(project: Path, tmp_path: Path) -> None:
    url = index(tmp_path, {"15.2.0": fakes.release_files(), "16.0.0": fakes.release_files()})
    probe, compat = Recorder("dynamic probe"), Recorder("compatibility suite")
    report = run(project, url, probe=probe, compat=compat)
    [release] = report.releases
    expected = project.parent / "cache" / "sdists" / str(release.sha256) / "xero_python-16.0.0.tar.gz"
    assert release.archive == expected and expected.is_file()
    assert probe.archives == compat.archives == [expected]
    # A tampered cache entry no longer matches its key: the next run downloads afresh.
    expected.write_bytes(b"tampered")
    again = run(project, url).releases[0]
    assert again.sha256 == release.sha256 and again.archive == expected
    assert pypi.sha256_of(expected) == release.sha256


def test_check_mode_vets_but_records_nothing(project: Path, tmp_path: Path) -> None:
    url = index(tmp_path, {"15.2.0": fakes.release_files(), "16.0.0": fakes.release_files()})
    report = run(project, url)
    assert report.passed
    assert read_vetted(project) == Version("15.2.0")
    assert (project / "pyproject.toml").read_text() == PYPROJECT
    assert (project / "COMPATIBILITY.md").read_text() == COMPATIBILITY


def test_a_local_sdist_is_vetted_without_asking_any_index(project: Path, tmp_path: Path) -> None:
    sdist = tmp_path / "xero_python-16.1.0.tar.gz"
    sdist.write_bytes(fakes.sdist_bytes("16.1.0", fakes.release_files()))
    report = run(project, index_url="file:///nonexistent/index", sdist=sdist, write=True)
    assert report.passed, report.lines()
    assert report.pypi.name == "input" and "(xero-python 16.1.0)" in report.pypi.summary
    assert read_vetted(project) == Version("16.1.0")
    assert read_vetted_sha256(project) == pypi.sha256_of(sdist)


@pytest.mark.parametrize(
    "base_url",
    [fakes.NEW_XERO_HOST + "/ledger.xro/1.0", fakes.API_HOST + "/ledger.xro/1.0", "https://ledger.example.net/v1"],
    ids=["new Xero host", "new path on the API host", "a host outside xero.com"],
)
def test_a_new_api_class_the_table_does_not_know_fails_naming_file_and_line(
    project: Path, tmp_path: Path, base_url: str
) -> None:
    files = fakes.release_files()
    files["xero_python/ledger/api/ledger_api.py"] = (
        '"""A new API."""\n\n\nclass LedgerApi:\n    """Generated."""\n\n' + f'    base_url = "{base_url}"\n'
    )
    report = run(project, index(tmp_path, {"15.2.0": fakes.release_files(), "16.0.0": files}), write=True)
    assert not report.passed
    [inventory] = failing(report)
    assert inventory.name == "URL inventory"
    [detail] = inventory.details
    assert detail.startswith(f"xero_python/ledger/api/ledger_api.py:7: base_url {base_url} (LedgerApi): ")
    assert "1 neither routed, refused on purpose nor known harmless" in inventory.summary
    assert read_vetted(project) == Version("15.2.0"), "a failed run must not record the release"
    assert (project / "pyproject.toml").read_text() == PYPROJECT
    assert report.verdict() == "FAIL: 16.0.0 URL inventory"


def test_a_changed_request_signature_fails_the_choke_point(project: Path, tmp_path: Path) -> None:
    files = fakes.release_files()
    files["xero_python/api_client/__init__.py"] = (
        "class ApiClient:\n    def request(self, method, url, params=None, headers=None, body=None, timeout=None):\n"
        "        return None\n\n" + fakes.CALL_API
    )
    report = run(project, index(tmp_path, {"15.2.0": fakes.release_files(), "16.0.0": files}))
    [choke] = failing(report)
    assert choke.name == "choke point"
    assert choke.summary.startswith(
        "xero_python/api_client/__init__.py:2: "
        "ApiClient.request(self, method, url, params, headers, body, timeout) changed"
    )


def test_token_api_losing_a_url_attribute_fails_the_choke_point(project: Path, tmp_path: Path) -> None:
    files = fakes.release_files()
    files["xero_python/api_client/oauth2.py"] = (
        "class TokenApi:\n    token_url = None\n\n    def refresh_token(self):\n"
        "        return self.api_client.call_api(self.token_url, 'POST')\n"
    )
    [choke] = failing(run(project, index(tmp_path, {"15.2.0": fakes.release_files(), "16.0.0": files})))
    assert choke.details == [
        "xero_python/api_client/oauth2.py:1: TokenApi.refresh_token_url is gone",
        "xero_python/api_client/oauth2.py:1: TokenApi.client_credentials_token_url is gone",
        "xero_python/api_client/oauth2.py:1: TokenApi.revoke_token_url is gone",
    ]


def test_a_patch_that_no_longer_applies_fails_naming_the_patch(project: Path, tmp_path: Path) -> None:
    files = fakes.release_files()
    files["xero_python/api_client/configuration.py"] = fakes.CONFIGURATION.replace("debug=False", "debug=True")
    report = run(project, index(tmp_path, {"15.2.0": fakes.release_files(), "16.0.0": files}), write=True)
    [patches] = failing(report)
    assert patches.name == "patches apply"
    assert patches.summary.startswith("0001-hosts.patch: ")
    assert "configuration.py" in patches.summary
    assert read_vetted(project) == Version("15.2.0")


@pytest.mark.parametrize("which", ["compatibility suite", "dynamic probe"])
def test_a_failing_probe_or_suite_fails_the_verdict(project: Path, tmp_path: Path, which: str) -> None:
    url = index(tmp_path, {"15.2.0": fakes.release_files(), "16.0.0": fakes.release_files()})
    report = run(project, url, write=True, **{"compat" if "suite" in which else "probe": Recorder(which, False)})
    assert [check.name for check in failing(report)] == [which]
    assert read_vetted(project) == Version("15.2.0")


def test_an_unreachable_index_fails_with_the_reason(project: Path) -> None:
    report = run(project, "file:///nonexistent/ledgerflow-index")
    assert not report.passed
    assert report.pypi.name == "index"
    assert report.pypi.summary.startswith("could not list xero-python releases on file:///nonexistent/ledgerflow-index")


def test_docstring_urls_are_documentation_and_bare_host_constants_fail(tmp_path: Path) -> None:
    from ledgerflow_tools.upstream.inventory import DOCUMENTATION, UNMAPPED, inventory

    root = tmp_path / "release"
    module = root / "xero_python" / "odd.py"
    module.parent.mkdir(parents=True)
    host = fakes.NEW_XERO_HOST.split("//")[1]
    module.write_text(f'"""See {fakes.NEW_XERO_HOST}/docs."""\n\nHOST = "{host}"\nCONTACT = "api@{host}"\n')
    findings = inventory(root)
    assert [(f.line, f.kind, f.verdict) for f in findings] == [
        (1, "docstring", DOCUMENTATION),
        (3, "host name", UNMAPPED),
    ]


def test_extend_range_admits_exactly_the_vetted_release_and_never_narrows() -> None:
    text, old, new = extend_range(PYPROJECT, Version("16.1.0"))
    assert (old, new) == (">=2.0.0,<=15.2.0", ">=2.0.0,<=16.1.0")
    assert '"xero-python>=2.0.0,<=16.1.0",' in text and '"wrapt>=1.14",' in text
    assert extend_range(PYPROJECT, Version("15.2.0")) == (PYPROJECT, ">=2.0.0,<=15.2.0", ">=2.0.0,<=15.2.0")
    assert extend_range(PYPROJECT, Version("15.1.0"))[2] == ">=2.0.0,<=15.2.0"
    # The old open-ended form becomes the exact one.
    assert extend_range(PYPROJECT.replace("<=15.2.0", "<16"), Version("16.0.0"))[2] == ">=2.0.0,<=16.0.0"
    with pytest.raises(UpstreamError, match="extend it by hand"):
        extend_range(PYPROJECT.replace("<=15.2.0", "==15.2.0"), Version("16.0.0"))


def test_the_compatibility_row_is_replaced_or_inserted_in_version_order() -> None:
    replaced = update_compatibility_row(COMPATIBILITY, Version("15.2.0"), ["1", "2", "3", "4", "x"])
    assert "| 15.2.0 | 1 | 2 | 3 | 4 | x |\n\nDeviations" in replaced and replaced.count("| 15.2.0 |") == 1
    inserted = update_compatibility_row(COMPATIBILITY, Version("9.0.0"), ["1", "2", "3", "4", "pass"])
    assert "| 2.0.0 | 156 | 155 | 1 | 11 | pass |\n| 9.0.0 | 1 | 2 | 3 | 4 | pass |\n| 15.2.0 |" in inserted


def test_a_malformed_upstream_file_is_a_typed_error(project: Path) -> None:
    (project / "patches" / "UPSTREAM").write_text("fifteen\n")
    with pytest.raises(UpstreamError, match="'fifteen' is not a version"):
        read_vetted(project)


def test_a_file_this_python_cannot_parse_fails_the_static_checks_naming_it(project: Path, tmp_path: Path) -> None:
    files = fakes.release_files()
    files["xero_python/new_syntax.py"] = "x = 1\nmatch = (\n"
    report = run(project, index(tmp_path, {"15.2.0": fakes.release_files(), "16.0.0": files}))
    [static] = failing(report)
    assert static.name == "static checks"
    assert static.summary.startswith("xero_python/new_syntax.py:2: cannot parse")
