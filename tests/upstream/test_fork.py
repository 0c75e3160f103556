"""The patched xero-python (scripts/build_fork.py) reaches Ledgerflow through configuration alone.

The fork's wheel runs in a child process (so its xero_python is the one imported) against a
loopback server that records every request. Nothing is monkey-patched in xero-python and
ledgerflow_xero is not imported there: only ``Configuration(api_host=..., identity_host=...)``
moves the traffic. The hosts come from the routing table's Ledgerflow URLs for a source.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from ledgerflow_tools.errors import UpstreamError
from ledgerflow_tools.upstream.fork import LOCAL_LABEL, build_fork, run_fork_suite
from ledgerflow_xero.routing import XERO_URLS, Router

from ..support import LoopbackServer, run_loopback_server
from .conftest import RELEASE, skip_or_fail

SOURCE = 1004

CHILD = r"""
import json, socket, sys, time

# Refuse every name lookup but loopback, so a request that escaped the configured hosts
# fails loudly in the child instead of reaching the internet.
_real_getaddrinfo = socket.getaddrinfo
def _loopback_only(host, *args, **kwargs):
    if host not in ("127.0.0.1", "localhost"):
        raise OSError("child refused lookup of " + str(host))
    return _real_getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = _loopback_only

import xero_python
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient
from xero_python.api_client.configuration import Configuration
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.identity import IdentityApi

hosts = json.loads(sys.argv[1])
store = {"token": {
    "access_token": "access-1", "refresh_token": "refresh-1", "token_type": "Bearer",
    "expires_in": 1800, "expires_at": time.time() + 1800, "scope": ["accounting.transactions", "offline_access"],
}}
config = Configuration(
    oauth2_token=OAuth2Token(client_id="client-id", client_secret="client-secret"),
    api_host=hosts["api"], identity_host=hosts["identity"], login_host=hosts["login"],
)
client = ApiClient(
    config, pool_threads=1,
    oauth2_token_getter=lambda: store["token"],
    oauth2_token_saver=lambda token: store.update(token=token),
)
AccountingApi(client).get_organisations(xero_tenant_id="tenant-1")
IdentityApi(client).get_connections()
client.refresh_oauth2_token()
client.revoke_oauth2_token()
client.get_client_credentials_token()

first, second = object(), object()
a, b = Configuration(oauth2_token=first), Configuration(oauth2_token=second)
plain = Configuration()
print(json.dumps({
    "module": xero_python.__file__,
    "authorization_url": config.authorization_url,
    "separate_configurations": a.oauth2_token is first and b.oauth2_token is second,
    "plain_hosts": [plain.api_host, plain.identity_host, plain.login_host],
    "plain_accounting_base_url": AccountingApi(ApiClient(plain)).base_url,
}))
"""


@dataclass
class Fork:
    wheel: Path  # the built wheel
    source: Path  # the patched source tree, with upstream's tests/
    site: Path  # the wheel unpacked, for a child's sys.path


@pytest.fixture(scope="session")
def fork(real_sdist: Path, tmp_path_factory: pytest.TempPathFactory) -> Fork:
    """The fork built by build_fork from the real 15.2.0 sdist."""
    out = tmp_path_factory.mktemp("fork")
    try:
        wheel = build_fork(RELEASE, out / "dist", archive=real_sdist, keep_source=out / "source")
    except UpstreamError as error:  # pip fetches setuptools for the isolated build
        skip_or_fail(f"could not build the fork wheel: {error}")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(out / "site")
    return Fork(wheel, out / "source", out / "site")


@pytest.fixture
def recorder() -> Iterator[LoopbackServer]:
    """A loopback stand-in for Ledgerflow that records what the fork sends it."""
    yield from run_loopback_server(stands_in_for_ledgerflow=True)


def base_of(ledgerflow_url: str, xero_url: str) -> str:
    """The host setting that makes the SDK's ``xero_url`` come out as ``ledgerflow_url``."""
    xero_path = urlsplit(xero_url).path
    assert ledgerflow_url.endswith(xero_path), (ledgerflow_url, xero_path)
    return ledgerflow_url[: len(ledgerflow_url) - len(xero_path)]


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_the_fork_routes_to_ledgerflow_through_configuration_alone(fork: Fork, recorder: LoopbackServer) -> None:
    router = Router(SOURCE, recorder.base_url)
    recorder.answer("GET", f"/{SOURCE}/Connections", 200, [])  # the fork writes xero-python's /Connections
    hosts = {
        "api": base_of(router.url_for("accounting"), XERO_URLS["accounting"]),
        "identity": base_of(router.url_for("token"), XERO_URLS["token"]),
        "login": base_of(router.url_for("authorize"), XERO_URLS["authorize"]),
    }
    child = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(hosts)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=fork.site.parent,
        env={"PYTHONPATH": str(fork.site), "PYTHONNOUSERSITE": "1"},
    )
    assert child.returncode == 0, child.stderr
    seen = json.loads(child.stdout)
    assert seen["module"].startswith(str(fork.site)), "the child must import the fork, not PyPI's build"

    calls = recorder.seen()
    path = lambda url: urlsplit(url).path  # noqa: E731
    expected = [
        ("GET", path(router.route(XERO_URLS["accounting"] + "/Organisation"))),
        ("GET", path(router.url_for("connections"))),
        ("POST", path(router.url_for("token"))),
        ("POST", path(router.url_for("revocation"))),
        ("POST", path(router.url_for("token"))),
    ]
    assert [method for method, _ in calls] == [method for method, _ in expected]
    for (_, sent), (_, wanted) in zip(calls, expected):
        # xero-python writes /Connections, the table /connections: same endpoint, its own case.
        assert sent.split("?")[0].lower() == wanted.lower()
    assert [sent.split("?")[0] for _, sent in calls if "connections" not in sent.lower()] == [
        wanted for _, wanted in expected if "connections" not in wanted.lower()
    ]
    assert seen["authorization_url"] == router.url_for("authorize")
    assert seen["separate_configurations"] is True, "upstream issue 99: each Configuration keeps its own token"
    # Unconfigured means untouched: a plain Configuration still points at Xero.
    assert seen["plain_hosts"] == [origin(XERO_URLS[name]) for name in ("accounting", "token", "authorize")]
    assert seen["plain_accounting_base_url"] == XERO_URLS["accounting"]


def test_the_fork_passes_upstreams_own_suite(fork: Fork, shared_dir: Path) -> None:
    """Upstream's 168 tests, run against the fork's wheel with no routing (Prism for the 11 sandbox tests)."""
    if shutil.which("npm") is None:
        skip_or_fail("needs npm to install the Prism mock upstream's sandbox tests talk to")
    spec = shared_dir / "specs" / "xero-openapi-16.1.0" / "xero_accounting.yaml"
    result = run_fork_suite(fork.wheel, fork.source, RELEASE, spec=spec, echo=lambda line: None)
    assert result.ok, result.log_path.read_text()[-3000:]
    assert result.counts == {"passed": 168}, result.summary_line


def test_the_fork_wheel_carries_the_local_version_label(fork: Fork) -> None:
    local = f"{RELEASE}+{LOCAL_LABEL}"
    assert fork.wheel.name.startswith(f"xero_python-{local}-") and fork.wheel.name.endswith("-none-any.whl")
    [metadata] = fork.site.glob("xero_python-*.dist-info/METADATA")
    assert f"\nVersion: {local}\n" in metadata.read_text()
    assert f'__version__ = "{local}"' in (fork.site / "xero_python" / "__init__.py").read_text()
