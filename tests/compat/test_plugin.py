"""The compat plugin: recorded URIs are routed before matching, only the exact routed
request replays, requests aimed at Xero fail their test, deviations are strict xfails,
and offline runs report the Prism tests as not run."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict

import pytest

from ledgerflow_tools.compat.plugin import (
    MATCH_ON,
    RoutedCassettePersister,
    XeroRequestGuard,
    configure_vcr,
    translate_recorded_uri,
)
from ledgerflow_xero.routing import Router
from tests.tools_path import tools_env

ROUTER = Router(1004)
LEDGERFLOW = "https://xero.api.ledgerscope.com/1004"


@pytest.mark.parametrize(
    ("recorded", "expected"),
    [
        ("https://api.xero.com/api.xro/2.0/Organisation", f"{LEDGERFLOW}/api.xro/2.0/Organisation"),
        (
            "https://api.xero.com/api.xro/2.0/Invoices?page=2&where=Status%3D%3D%22PAID%22",
            f"{LEDGERFLOW}/api.xro/2.0/Invoices?page=2&where=Status%3D%3D%22PAID%22",
        ),
        ("https://identity.xero.com/connect/token", f"{LEDGERFLOW}/connect/token"),
        ("https://api.xero.com/Connections", f"{LEDGERFLOW}/connections"),
        # Not on a Xero host: the sandbox mock, left alone.
        ("http://127.0.0.1:4010/Accounts", "http://127.0.0.1:4010/Accounts"),
        # Xero URLs a routed client refuses to send stay as recorded, so they can only
        # replay if something sent a request to Xero (which the guard fails).
        ("https://developer.xero.com/documentation", "https://developer.xero.com/documentation"),
        ("https://api.xero.com/payroll.xro/1.0/Employees", "https://api.xero.com/payroll.xro/1.0/Employees"),
    ],
)
def test_recorded_uris_are_translated_through_the_routing_table(recorded: str, expected: str) -> None:
    assert translate_recorded_uri(recorded, ROUTER) == expected


def test_another_source_gets_its_own_segment() -> None:
    assert translate_recorded_uri("https://api.xero.com/api.xro/2.0/Items", Router(1009)) == (
        "https://xero.api.ledgerscope.com/1009/api.xro/2.0/Items"
    )


CASSETTE = """\
interactions:
- request:
    body: null
    headers: {}
    method: GET
    uri: https://api.xero.com/api.xro/2.0/Organisation
  response:
    body: {string: '{"Organisations": [{"Name": "Recorded Ltd"}]}'}
    headers: {Content-Type: [application/json]}
    status: {code: 200, message: OK}
- request:
    body: grant_type=refresh_token&refresh_token=XXXXX
    headers: {}
    method: POST
    uri: https://identity.xero.com/connect/token
  response:
    body: {string: '{"access_token": "new"}'}
    headers: {Content-Type: [application/json]}
    status: {code: 200, message: OK}
version: 1
"""


def test_persister_loads_cassettes_with_routed_uris_and_never_writes(tmp_path: Path) -> None:
    from vcr.serializers import yamlserializer

    cassette = tmp_path / "recorded.yaml"
    cassette.write_text(CASSETTE)
    persister = RoutedCassettePersister(ROUTER)
    requests, responses = persister.load_cassette(cassette, yamlserializer)
    assert [request.uri for request in requests] == [
        f"{LEDGERFLOW}/api.xro/2.0/Organisation",
        f"{LEDGERFLOW}/connect/token",
    ]
    assert len(responses) == 2
    with pytest.raises(RuntimeError, match="refusing to record"):
        persister.save_cassette(cassette, {}, yamlserializer)


def test_configured_vcr_replays_only_the_exact_routed_request(tmp_path: Path) -> None:
    import urllib3
    import vcr as vcrpy
    from vcr.errors import CannotOverwriteExistingCassetteException

    (tmp_path / "recorded.yaml").write_text(CASSETTE)
    recorder = vcrpy.VCR(cassette_library_dir=str(tmp_path))
    configure_vcr(recorder, ROUTER)
    assert recorder.match_on == MATCH_ON and "body" in MATCH_ON
    http = urllib3.PoolManager()

    def replay(method: str, url: str, body: str | None = None) -> bytes:
        with recorder.use_cassette("recorded.yaml", allow_playback_repeats=True):
            return http.request(method, url, body=body, retries=False).data

    assert b"Recorded Ltd" in replay("GET", f"{LEDGERFLOW}/api.xro/2.0/Organisation")
    token_body = "grant_type=refresh_token&refresh_token=XXXXX"
    assert b'"new"' in replay("POST", f"{LEDGERFLOW}/connect/token", token_body)
    mismatches = [
        ("GET", "https://xero.api.ledgerscope.com/1009/api.xro/2.0/Organisation", None),  # another source
        ("GET", f"{LEDGERFLOW}/api.xro/2.0/Organisation?page=2", None),  # another query
        ("POST", f"{LEDGERFLOW}/api.xro/2.0/Organisation", None),  # another method
        ("POST", f"{LEDGERFLOW}/connect/token", "grant_type=refresh_token&refresh_token=other"),  # another body
    ]
    for method, url, body in mismatches:
        with pytest.raises(CannotOverwriteExistingCassetteException):
            replay(method, url, body)


def test_guard_refuses_and_records_xero_lookups_only() -> None:
    guard = XeroRequestGuard()
    guard.install()
    try:
        with pytest.raises(OSError, match="refused DNS lookup of Xero host api.xero.com"):
            socket.getaddrinfo("api.xero.com", 443)
        with pytest.raises(OSError, match="refused DNS lookup of example.org .only loopback"):
            socket.getaddrinfo("example.org", 80)
        assert socket.getaddrinfo("127.0.0.1", 80)
    finally:
        guard.uninstall()
    assert guard.seen == ["DNS lookup of api.xero.com"]


SUITE = """
import pytest
import urllib3
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient
from xero_python.api_client.configuration import Configuration
from xero_python.api_client.oauth2 import OAuth2Token


def client():
    config = Configuration()
    config.oauth2_token = OAuth2Token(client_id="id", client_secret="secret")
    token = {"access_token": "a", "token_type": "Bearer", "expires_in": 1800, "refresh_token": "r", "scope": ["x"]}
    return ApiClient(configuration=config, pool_threads=1, oauth2_token_getter=lambda: token)


@pytest.mark.vcr()
def test_plain_client_is_routed_and_replayed():
    organisations = AccountingApi(client()).get_organisations("tenant")
    assert organisations.organisations[0].name == "Recorded Ltd"


def test_cassette_without_routing_does_not_replay(vcr):
    with vcr.use_cassette("test_plain_client_is_routed_and_replayed"):
        urllib3.PoolManager().request("GET", "https://xero.api.ledgerscope.com/1009/api.xro/2.0/Organisation")


def test_request_aimed_at_xero_fails():
    try:
        urllib3.PoolManager().request("GET", "https://api.xero.com/api.xro/2.0/Organisation", retries=False)
    except Exception:
        pass  # swallowing the error must not hide the attempt


def test_plain_pass():
    assert True


def test_documented_deviation():
    assert False


def test_deviation_that_passes():
    assert True


@pytest.mark.sandbox
def test_needs_prism():
    assert True
"""


def run_plugin_suite(tmp_path: Path, *extra: str) -> Dict[str, object]:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_suite.py").write_text(SUITE)
    cassettes = tmp_path / "tests" / "cassettes"
    cassettes.mkdir()
    (cassettes / "test_plain_client_is_routed_and_replayed.yaml").write_text(CASSETTE)
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    sandbox: needs Prism\n")
    deviations = {
        "deviations": [
            {"test": "tests/test_suite.py::test_documented_deviation", "releases": ">=2", "reason": "why A"},
            {"test": "tests/test_suite.py::test_deviation_that_passes", "releases": ">=2", "reason": "why B"},
            {"test": "tests/test_suite.py::test_plain_pass", "releases": "<2", "reason": "not this release"},
        ]
    }
    (tmp_path / "deviations.json").write_text(json.dumps(deviations))
    report = tmp_path / "report.json"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "ledgerflow_tools.compat.plugin",
         "-c", "pytest.ini", "--rootdir", str(tmp_path), "-q", "--ledgerflow-source", "1004",
         "--ledgerflow-report", str(report), "--ledgerflow-deviations", "deviations.json", *extra, "tests"],
        cwd=tmp_path, env=tools_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120,
    )  # fmt: skip
    return json.loads(report.read_text())


def test_plugin_outcomes_on_a_small_suite(tmp_path: Path) -> None:
    report = run_plugin_suite(tmp_path, "--ledgerflow-offline")
    prefix = "tests/test_suite.py::"
    outcomes = {test[len(prefix) :]: outcome for test, outcome in report["tests"].items()}  # type: ignore[union-attr]
    assert outcomes == {
        "test_plain_client_is_routed_and_replayed": "passed",
        "test_cassette_without_routing_does_not_replay": "failed",
        "test_request_aimed_at_xero_fails": "failed",
        "test_plain_pass": "passed",
        "test_documented_deviation": "deviation",
        "test_deviation_that_passes": "failed",  # strict: a deviation that stops failing fails
        "test_needs_prism": "not run",
    }
    details = report["details"]
    assert "api.xero.com" in details[prefix + "test_request_aimed_at_xero_fails"]  # type: ignore[index]
    assert "XPASS(strict)" in details[prefix + "test_deviation_that_passes"]  # type: ignore[index]
    assert report["source"] == 1004 and report["offline"] is True
    assert set(report["deviations"]) == {prefix + "test_documented_deviation", prefix + "test_deviation_that_passes"}


def test_without_offline_the_prism_test_runs(tmp_path: Path) -> None:
    report = run_plugin_suite(tmp_path)
    assert report["tests"]["tests/test_suite.py::test_needs_prism"] == "passed"  # type: ignore[index]


def test_plugin_is_inert_without_a_source(tmp_path: Path) -> None:
    (tmp_path / "test_one.py").write_text(textwrap.dedent("def test_one():\n    assert True\n"))
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "ledgerflow_tools.compat.plugin", "-q", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), "test_one.py"],
        cwd=tmp_path, env=tools_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout
    assert "1 passed" in completed.stdout
