"""scripts/sync_upstream.py against PyPI answers mocked with ``responses`` and synthetic sdists."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Dict, List

import pytest
import responses
from packaging.version import Version

from ledgerflow_tools.errors import UpstreamError
from ledgerflow_tools.upstream import sync as sync_module
from ledgerflow_tools.upstream.checks import CheckResult
from ledgerflow_tools.upstream.sync import read_vetted, sync, widen_range

from . import fakes

PYPROJECT = '[project]\nname = "demo"\ndependencies = [\n    "xero-python>=2.0.0,<16",\n    "wrapt>=1.14",\n]\n'


class FakeCompat:
    """Stands in for the compatibility runner: records which releases it was asked to run."""

    def __init__(self, passed: bool = True) -> None:
        self.passed = passed
        self.calls: List[Version] = []

    def __call__(self, version: Version, archive: Path) -> CheckResult:
        assert archive.is_file()
        self.calls.append(version)
        return CheckResult("compatibility suite", self.passed, "168 passed" if self.passed else "3 failed")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project checkout: patches/ with one patch and UPSTREAM at 15.2.0, and a pyproject."""
    root = tmp_path / "project"
    (root / "patches").mkdir(parents=True)
    (root / "patches" / "0001-hosts.patch").write_text(fakes.PATCH)
    (root / "patches" / "UPSTREAM").write_text("# vetted\n15.2.0\n")
    (root / "pyproject.toml").write_text(PYPROJECT)
    return root


def serve(releases: Dict[str, Dict[str, str]]) -> Dict[str, bytes]:
    """Register PyPI's JSON answer and each sdist download with ``responses``."""
    sdists = {version: fakes.sdist_bytes(version, files) for version, files in releases.items()}
    responses.add(responses.GET, fakes.PYPI_JSON, json=fakes.pypi_document(sdists))
    for version, data in sdists.items():
        responses.add(responses.GET, f"{fakes.FILES_HOST}/xero_python-{version}.tar.gz", body=data)
    return sdists


def run(project: Path, compat: FakeCompat | None = None, **options) -> sync_module.SyncReport:
    return sync(
        project, cache_dir=project.parent / "cache", compat=compat or FakeCompat(), progress=io.StringIO(), **options
    )


def failing(report: sync_module.SyncReport) -> List[CheckResult]:
    return [check for release in report.releases for check in release.checks if not check.passed]


@responses.activate
def test_no_new_release_rechecks_the_vetted_one_and_writes_nothing(project: Path) -> None:
    serve({"15.1.0": fakes.release_files(), "15.2.0": fakes.release_files()})
    compat = FakeCompat()
    report = run(project, compat, write=True)
    assert report.passed, report.lines()
    assert "nothing newer than vetted 15.2.0" in report.pypi.summary
    assert [release.version for release in report.releases] == [Version("15.2.0")]
    assert compat.calls == [Version("15.2.0")]
    assert report.written == []
    assert (project / "pyproject.toml").read_text() == PYPROJECT
    assert report.lines()[-1] == "Verdict: PASS: xero-python 15.2.0 vetted, every check green"


@responses.activate
def test_one_clean_release_is_vetted_and_widens_the_range(project: Path, capsys: pytest.CaptureFixture) -> None:
    serve({"15.2.0": fakes.release_files(), "16.0.0": fakes.release_files()})
    report_path = project / "report.md"
    status = sync_module.main(
        ["--write", "--root", str(project), "--cache-dir", str(project.parent / "cache"), "--report", str(report_path)],
        compat=FakeCompat(),
    )
    out = capsys.readouterr().out
    assert status == 0, out
    assert read_vetted(project) == Version("16.0.0")
    assert '"xero-python>=2.0.0,<17",' in (project / "pyproject.toml").read_text()
    names = [line.split(":")[0] for line in out.splitlines() if line.startswith("[")]
    assert names == [
        "[PASS] PyPI",
        "[PASS] 16.0.0 download",
        "[PASS] 16.0.0 URL inventory",
        "[PASS] 16.0.0 choke point",
        "[PASS] 16.0.0 patches apply",
        "[PASS] 16.0.0 compatibility suite",
    ]
    markdown = report_path.read_text()
    assert "**Verdict: PASS: xero-python 16.0.0 vetted, every check green**" in markdown
    assert "| 16.0.0 | URL inventory | PASS |" in markdown


@responses.activate
def test_check_mode_vets_but_records_nothing(project: Path) -> None:
    serve({"15.2.0": fakes.release_files(), "16.0.0": fakes.release_files()})
    report = run(project)
    assert report.passed
    assert read_vetted(project) == Version("15.2.0")
    assert (project / "pyproject.toml").read_text() == PYPROJECT


@pytest.mark.parametrize(
    "base_url",
    [fakes.NEW_XERO_HOST + "/ledger.xro/1.0", fakes.API_HOST + "/ledger.xro/1.0"],
    ids=["new Xero host", "new path on the API host"],
)
@responses.activate
def test_a_new_api_class_the_table_does_not_know_fails_naming_file_and_line(project: Path, base_url: str) -> None:
    files = fakes.release_files()
    files["xero_python/ledger/api/ledger_api.py"] = (
        '"""A new API."""\n\n\nclass LedgerApi:\n    """Generated."""\n\n' + f'    base_url = "{base_url}"\n'
    )
    serve({"15.2.0": fakes.release_files(), "16.0.0": files})
    report = run(project, write=True)
    assert not report.passed
    [inventory] = failing(report)
    assert inventory.name == "URL inventory"
    assert inventory.details == [
        f"xero_python/ledger/api/ledger_api.py:7: base_url {base_url} (LedgerApi): "
        "no route and not refused on purpose in ledgerflow_xero.routing"
    ]
    assert "1 the routing table neither maps nor refuses" in inventory.summary
    assert read_vetted(project) == Version("15.2.0"), "a failed run must not record the release"
    assert (project / "pyproject.toml").read_text() == PYPROJECT
    assert report.verdict() == "FAIL: 16.0.0 URL inventory"


@responses.activate
def test_a_changed_request_signature_fails_the_choke_point(project: Path) -> None:
    files = fakes.release_files()
    files["xero_python/api_client/__init__.py"] = (
        "class ApiClient:\n    def request(self, method, url, params=None, headers=None, body=None, timeout=None):\n"
        "        return None\n"
    )
    serve({"15.2.0": fakes.release_files(), "16.0.0": files})
    report = run(project)
    [choke] = failing(report)
    assert choke.name == "choke point"
    assert choke.summary.startswith(
        "xero_python/api_client/__init__.py:2: "
        "ApiClient.request(self, method, url, params, headers, body, timeout) changed"
    )


@responses.activate
def test_token_api_losing_a_url_attribute_fails_the_choke_point(project: Path) -> None:
    files = fakes.release_files()
    files["xero_python/api_client/oauth2.py"] = "class TokenApi:\n    token_url = None\n"
    serve({"15.2.0": fakes.release_files(), "16.0.0": files})
    [choke] = failing(run(project))
    assert choke.details == [
        "xero_python/api_client/oauth2.py:1: TokenApi.refresh_token_url is gone",
        "xero_python/api_client/oauth2.py:1: TokenApi.client_credentials_token_url is gone",
        "xero_python/api_client/oauth2.py:1: TokenApi.revoke_token_url is gone",
    ]


@responses.activate
def test_a_patch_that_no_longer_applies_fails_naming_the_patch(project: Path) -> None:
    files = fakes.release_files()
    files["xero_python/api_client/configuration.py"] = fakes.CONFIGURATION.replace("debug=False", "debug=True")
    serve({"15.2.0": fakes.release_files(), "16.0.0": files})
    report = run(project, write=True)
    [patches] = failing(report)
    assert patches.name == "patches apply"
    assert patches.summary.startswith("0001-hosts.patch: ")
    assert "configuration.py" in patches.summary
    assert read_vetted(project) == Version("15.2.0")


@responses.activate
def test_a_failing_compatibility_suite_fails_the_verdict(project: Path) -> None:
    serve({"15.2.0": fakes.release_files(), "16.0.0": fakes.release_files()})
    report = run(project, FakeCompat(passed=False), write=True)
    assert [check.name for check in failing(report)] == ["compatibility suite"]
    assert read_vetted(project) == Version("15.2.0")


@responses.activate
def test_sdists_are_cached_and_checked_against_pypis_digest(project: Path) -> None:
    sdists = serve({"15.2.0": fakes.release_files()})
    run(project)
    run(project)
    downloads = [call for call in responses.calls if call.request.url.endswith(".tar.gz")]
    assert len(downloads) == 1, "the second run must use the cache"
    cached = project.parent / "cache" / "sdists" / "xero_python-15.2.0.tar.gz"
    assert cached.read_bytes() == sdists["15.2.0"]
    cached.write_bytes(b"tampered")
    responses.replace(responses.GET, f"{fakes.FILES_HOST}/xero_python-15.2.0.tar.gz", body=b"not the sdist")
    [download] = failing(run(project))
    assert download.name == "download"
    assert "does not match PyPI's" in download.summary


@responses.activate
def test_pypi_unreachable_fails_with_the_reason(project: Path) -> None:
    responses.add(responses.GET, fakes.PYPI_JSON, status=503)
    report = run(project)
    assert not report.passed
    assert report.pypi.summary.startswith(f"could not read {fakes.PYPI_JSON}: 503")


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


def test_widen_range_raises_the_upper_bound_only_when_needed() -> None:
    text, old, new = widen_range(PYPROJECT, Version("16.1.0"))
    assert (old, new) == (">=2.0.0,<16", ">=2.0.0,<17")
    assert '"xero-python>=2.0.0,<17",' in text and '"wrapt>=1.14",' in text
    assert widen_range(PYPROJECT, Version("15.2.0")) == (PYPROJECT, ">=2.0.0,<16", ">=2.0.0,<16")
    with pytest.raises(UpstreamError, match="widen it by hand"):
        widen_range(PYPROJECT.replace("<16", "<=15.2.0"), Version("16.0.0"))


def test_a_malformed_upstream_file_is_a_typed_error(project: Path) -> None:
    (project / "patches" / "UPSTREAM").write_text("fifteen\n")
    with pytest.raises(UpstreamError, match="'fifteen' is not a version"):
        read_vetted(project)


@responses.activate
def test_a_file_this_python_cannot_parse_fails_the_inventory_naming_it(project: Path) -> None:
    files = fakes.release_files()
    files["xero_python/new_syntax.py"] = "x = 1\nmatch = (\n"
    serve({"15.2.0": fakes.release_files(), "16.0.0": files})
    [inventory_check] = failing(run(project))
    assert inventory_check.name == "URL inventory"
    assert inventory_check.summary.startswith("xero_python/new_syntax.py:2: cannot parse")
