"""The inventory, choke point and patches against xero-python 15.2.0 itself (its real sdist)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from ledgerflow_tools.upstream.checks import check_choke_point, check_inventory, check_patches
from ledgerflow_tools.upstream.inventory import DOCUMENTATION, HOST_ONLY, REFUSED, ROUTED, inventory
from ledgerflow_xero.routing import UNSUPPORTED_APIS, XERO_URLS

PATCHES = Path(__file__).resolve().parents[2] / "patches"


def host(url: str) -> str:
    return urlsplit(url).hostname or ""


def test_every_xero_url_in_15_2_0_code_is_routed_or_refused(real_release: Path) -> None:
    findings = inventory(real_release)
    code = [f for f in findings if f.verdict != DOCUMENTATION]
    assert check_inventory(findings).passed
    assert Counter(f.verdict for f in code) == {ROUTED: 6, REFUSED: 9, HOST_ONLY: 1}
    assert {f.host for f in code} == {host(XERO_URLS["accounting"]), host(XERO_URLS["token"])}
    routed = {(f.file, f.kind, f.url): f.detail for f in code if f.verdict == ROUTED}
    assert routed == {
        ("xero_python/accounting/api/accounting_api.py", "base_url", XERO_URLS["accounting"]): "accounting",
        ("xero_python/api_client/oauth2.py", "TokenApi.client_credentials_token_url", XERO_URLS["token"]): "token",
        ("xero_python/api_client/oauth2.py", "TokenApi.refresh_token_url", XERO_URLS["token"]): "token",
        ("xero_python/api_client/oauth2.py", "TokenApi.revoke_token_url", XERO_URLS["revocation"]): "revocation",
        # xero-python writes /Connections; the table matches it case-insensitively.
        ("xero_python/identity/api/identity_api.py", "resource path", _connections("/Connections")): "connections",
        ("xero_python/identity/api/identity_api.py", "resource path", _connections("/Connections/{id}")): "connections",
    }
    refused = {f.detail for f in code if f.verdict == REFUSED}
    assert refused == {api.name for api in UNSUPPORTED_APIS} - {"bank feeds"}, "bank feeds has no API class in 15.2.0"
    assert {f.url for f in code if f.verdict == REFUSED} <= {api.xero_url for api in UNSUPPORTED_APIS}
    # Docstrings only point at documentation and example URLs.
    assert {f.verdict for f in findings} - {ROUTED, REFUSED, HOST_ONLY} == {DOCUMENTATION}


def _connections(path: str) -> str:
    parts = urlsplit(XERO_URLS["connections"])
    return f"{parts.scheme}://{parts.netloc}{path}"


def test_the_choke_point_is_where_the_shim_expects_it(real_release: Path) -> None:
    result = check_choke_point(real_release)
    assert result.passed, result.summary
    assert "ApiClient.request(self, method, url, query_params" in result.summary


def test_the_patches_apply_to_15_2_0(real_release: Path) -> None:
    result = check_patches(real_release, PATCHES)
    assert result.passed, result.details
    assert result.summary.startswith("4 patches apply in order")
    # Applied to a scratch copy: the release itself is untouched.
    assert "api_host" not in (real_release / "xero_python/api_client/configuration.py").read_text()
