"""The pytest plugin that runs xero-python's own test suite with Ledgerflow routing active.

Loaded with ``-p ledgerflow_tools.compat.plugin --ledgerflow-source 1004`` inside the
throwaway environment the runner builds. It

- applies :func:`ledgerflow_xero.patch` for the whole session, so the plain
  ``xero_python`` clients upstream's fixtures build are routed;
- loads every VCR cassette through :class:`RoutedCassettePersister`, which translates each
  recorded request URI through the routing table, and matches on method, scheme, host,
  port, path, query *and body* with recording off: a recorded exchange is replayed only if
  the shim sent exactly the routed request;
- fails any test during which a request was opened towards, or a name looked up for, a
  ``*.xero.com`` host; DNS lookups of any non-loopback name are refused outright, so the
  suite runs on its cassettes and the local Prism and nothing leaves the machine;
- marks the documented deviations ``xfail(strict=True)``;
- with ``--ledgerflow-offline``, reports the tests that need the Prism mock as not run;
- writes a JSON report of every test's outcome for the runner (``--ledgerflow-report``).
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
from importlib import metadata
from pathlib import Path
from typing import Any, Dict, Generator, List, Tuple

import pytest
import urllib3.connectionpool

from ledgerflow_xero.errors import RoutingError
from ledgerflow_xero.routing import DEFAULT_HOST, Router, is_xero_host

from .deviations import deviations_for, load_deviations
from .outcomes import DEVIATION, FAILED, NOT_RUN, PASSED, SKIPPED

MATCH_ON = ("method", "scheme", "host", "port", "path", "query", "body")
"""What a live request must share with a recorded one to be replayed."""

PRISM_MARKER = "sandbox"
PRISM_URL = "http://127.0.0.1:4010"
NOT_RUN_REASON = "not run: needs the Prism mock of the accounting API on 127.0.0.1:4010 (offline run)"
EXTERNAL_MOCK_REASON = "not run: this release's sandbox tests call a hosted mock on another host, not a local Prism"
_BASE_URL = re.compile(r"""base_url\s*=\s*["'](https?://[^"'/]+)""")


def translate_recorded_uri(uri: str, router: Router) -> str:
    """The URI a routed client sends for a request recorded against Xero.

    URIs off Xero's hosts are unchanged. A Xero URI the table does not map (or an API
    Ledgerflow does not serve) is left as recorded: a routed client refuses to send it,
    so that exchange can only replay if something sent a request to Xero, which the
    plugin's guard fails.
    """
    try:
        return router.route(uri)
    except RoutingError:
        return uri


class RoutedCassettePersister:
    """A vcrpy persister: reads cassettes from disk with their request URIs routed, never writes."""

    def __init__(self, router: Router) -> None:
        self.router = router

    def load_cassette(self, cassette_path: Any, serializer: Any) -> Tuple[List[Any], List[Any]]:
        from vcr.persisters.filesystem import FilesystemPersister

        requests, responses = FilesystemPersister.load_cassette(cassette_path, serializer)
        for request in requests:
            request.uri = translate_recorded_uri(request.uri, self.router)
        return requests, responses

    def save_cassette(self, cassette_path: Any, cassette_dict: Any, serializer: Any) -> None:
        raise RuntimeError(f"ledgerflow compat plugin: refusing to record cassette {cassette_path}")


def configure_vcr(vcr: Any, router: Router) -> None:
    """Make a pytest-vcr ``VCR`` instance replay only routed, exactly matching requests."""
    if getattr(vcr, "_ledgerflow_configured", False):
        return
    vcr.register_persister(RoutedCassettePersister(router))
    vcr.match_on = MATCH_ON
    vcr.record_mode = "none"
    vcr._ledgerflow_configured = True


class XeroRequestGuard:
    """Records every request opened towards, and refuses every DNS lookup of, a Xero host."""

    def __init__(self) -> None:
        self.seen: List[str] = []
        self._real_getaddrinfo = socket.getaddrinfo
        self._real_urlopen = urllib3.connectionpool.HTTPConnectionPool.urlopen

    def install(self) -> None:
        guard = self
        real_getaddrinfo, real_urlopen = self._real_getaddrinfo, self._real_urlopen

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            name = host.decode() if isinstance(host, bytes) else str(host)
            if is_xero_host(name):
                guard.seen.append(f"DNS lookup of {name}")
                raise OSError(f"ledgerflow compat plugin: refused DNS lookup of Xero host {name}")
            if host is not None and not _is_loopback_name(name):
                # The suite runs on cassettes and the local Prism only: nothing leaves the machine.
                raise OSError(f"ledgerflow compat plugin: refused DNS lookup of {name} (only loopback is reachable)")
            return real_getaddrinfo(host, *args, **kwargs)

        def urlopen(pool: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            if is_xero_host(pool.host):
                guard.seen.append(f"{method} {pool.scheme}://{pool.host}{url.split('?', 1)[0]}")
            return real_urlopen(pool, method, url, *args, **kwargs)

        socket.getaddrinfo = getaddrinfo
        urllib3.connectionpool.HTTPConnectionPool.urlopen = urlopen

    def uninstall(self) -> None:
        socket.getaddrinfo = self._real_getaddrinfo
        urllib3.connectionpool.HTTPConnectionPool.urlopen = self._real_urlopen


def external_mock(item: pytest.Item) -> str | None:
    """For a sandbox test whose module points its API at a mock other than the local Prism
    (older releases used hosted mocks), that mock's origin; else None."""
    try:
        source = Path(str(item.fspath)).read_text(encoding="utf-8")
    except OSError:
        return None
    origins = [origin for origin in _BASE_URL.findall(source) if origin != PRISM_URL]
    return origins[0] if origins and PRISM_URL not in source else None


def _is_loopback_name(name: str) -> bool:
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def needs_prism(item: pytest.Item) -> bool:
    """True for upstream tests that talk to the Prism mock (marked ``sandbox`` upstream)."""
    fixtures = getattr(item, "fixturenames", ())
    return item.get_closest_marker(PRISM_MARKER) is not None or any(PRISM_MARKER in name for name in fixtures)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ledgerflow", "Ledgerflow compatibility run")
    group.addoption("--ledgerflow-source", help="route every xero-python client to this source (e.g. 1004)")
    group.addoption("--ledgerflow-host", default=DEFAULT_HOST, help="the Ledgerflow host to route to")
    group.addoption("--ledgerflow-offline", action="store_true", help="report Prism-needing tests as not run")
    group.addoption("--ledgerflow-report", help="write every test's outcome to this JSON file")
    group.addoption("--ledgerflow-deviations", help="the deviations file (default: the one beside this module)")


class LedgerflowCompatPlugin:
    """The plugin's state for one session: router, guard, deviations, outcomes."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.router = Router(config.getoption("ledgerflow_source"), config.getoption("ledgerflow_host"))
        self.release = metadata.version("xero-python")
        path = config.getoption("ledgerflow_deviations")
        self.deviations = deviations_for(self.release, load_deviations(Path(path) if path else None))
        self.offline = bool(config.getoption("ledgerflow_offline"))
        self.report_path: str | None = config.getoption("ledgerflow_report")
        self.guard = XeroRequestGuard()
        self.outcomes: Dict[str, str] = {}
        self.details: Dict[str, str] = {}

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        import ledgerflow_xero

        # Upstream's suite exercises Xero's whole accounting API (writes too) against Prism
        # serving Xero's spec, so the Ledgerflow contract's refusals stay off here.
        ledgerflow_xero.patch(self.router.source, self.router.host, allow_unserved_operations=True)
        self.guard.install()

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        import ledgerflow_xero

        self.guard.uninstall()
        ledgerflow_xero.unpatch()
        if self.report_path:
            report = {
                "release": self.release,
                "source": int(self.router.source),
                "host": self.router.host,
                "offline": self.offline,
                "deviations": {test: deviation.reason for test, deviation in self.deviations.items()},
                "tests": self.outcomes,
                "details": self.details,
            }
            Path(self.report_path).write_text(json.dumps(report, indent=1), encoding="utf-8")

    def pytest_collection_modifyitems(self, items: List[pytest.Item]) -> None:
        for item in items:
            deviation = self.deviations.get(item.nodeid)
            if deviation is not None:
                item.add_marker(pytest.mark.xfail(strict=True, reason=f"Ledgerflow deviation: {deviation.reason}"))
            if needs_prism(item):
                mock = external_mock(item)
                if mock is not None:
                    item.add_marker(pytest.mark.skip(reason=EXTERNAL_MOCK_REASON))
                elif self.offline:
                    item.add_marker(pytest.mark.skip(reason=NOT_RUN_REASON))

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: Any, request: pytest.FixtureRequest) -> Generator[None, Any, Any]:
        # pytest-vcr builds its VCR from upstream's vcr_config; route it before any cassette loads.
        value = yield
        if fixturedef.argname == "vcr":
            configure_vcr(value, self.router)
        return value

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, Any, Any]:
        self.guard.seen.clear()
        result = yield
        if self.guard.seen:
            raise AssertionError(
                f"a request was sent towards a Xero host with Ledgerflow routing on: {self.guard.seen}"
            )
        return result

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        nodeid = report.nodeid
        if report.failed:
            self.outcomes[nodeid] = FAILED
            self.details[nodeid] = _short(report)
        elif hasattr(report, "wasxfail") and report.skipped:
            self.outcomes[nodeid] = DEVIATION
        elif report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            self.outcomes[nodeid] = NOT_RUN if reason.replace("Skipped: ", "", 1).startswith("not run: ") else SKIPPED
            self.details[nodeid] = reason
        elif report.when == "call" and self.outcomes.get(nodeid) != FAILED:
            self.outcomes[nodeid] = PASSED


def _short(report: pytest.TestReport) -> str:
    text = getattr(report, "longreprtext", "") or str(report.longrepr)
    lines = [line for line in text.splitlines() if line.startswith("E ")]
    return (lines[0][1:].strip() if lines else text.strip().splitlines()[-1] if text.strip() else "failed")[:300]


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("ledgerflow_source"):
        config.pluginmanager.register(LedgerflowCompatPlugin(config), "ledgerflow-compat")
