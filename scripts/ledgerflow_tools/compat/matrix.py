"""The compatibility matrix: upstream's suite for one release per major, written to COMPATIBILITY.md."""

from __future__ import annotations

import datetime
import platform
from pathlib import Path
from typing import Callable, Dict, List, Sequence

from ledgerflow_xero.routing import DEFAULT_HOST
from ledgerflow_xero.sources import SourceLike, parse_source

from ..errors import UpstreamSuiteError
from .prism import PrismServer
from .runner import DEFAULT_SOURCE, Result, run_suite

# The newest release of every major from the oldest that installs and runs on Python 3.11.
MATRIX_RELEASES: tuple = (
    "0.5.1", "1.26.0", "2.0.0", "3.0.0", "4.0.0", "5.0.0", "6.3.0", "7.1.0", "8.3.0",
    "9.4.0", "10.0.0", "11.0.1", "12.0.0", "13.0.0", "14.0.0", "15.2.0",
)  # fmt: skip

# Why a release in the matrix cannot be proven, found by running its suite without the shim.
KNOWN_LIMITS: Dict[str, str] = {
    "0.5.1": (
        "not provable: its own suite fails these same 3 cassette tests without the shim. It ships an expired "
        "token (tests/oauth2_token.py, expired 2020), so the SDK first refreshes it at the token endpoint, "
        "and no cassette holds that exchange"
    ),
    "1.26.0": (
        "not provable: without the shim its own suite fails 6 tests on Python 3.11 (4 test_deserializer error "
        "cases, test_invoice_attachment_upload_and_download, and test_get_connections, whose cassette says "
        "/connections while 1.x sends /Connections; the routing table maps that to /connections, so it passes "
        "under the shim). The 5 left fail the same way with and without the shim"
    ),
}


def run_matrix(
    releases: Sequence[str] = MATRIX_RELEASES,
    source: SourceLike = DEFAULT_SOURCE,
    *,
    offline: bool = False,
    spec: Path | None = None,
    host: str = DEFAULT_HOST,
    cache: Path | None = None,
    echo: Callable[[str], None] = print,
) -> List[Result]:
    """Run the suite for each release, sharing one Prism; a release that cannot be
    installed becomes a "cannot run" result rather than stopping the matrix."""
    results: List[Result] = []
    prism = None if offline else PrismServer(spec, cache=cache, echo=echo)
    try:
        if prism is not None:
            prism.start()
            prism.wait_ready()
        for release in releases:
            try:
                result = run_suite(
                    release, source, prism=prism, offline=offline, host=host, cache=cache, stream=False, echo=echo
                )
            except UpstreamSuiteError as error:
                result = Result(release=release, source=int(parse_source(source)), offline=offline, error=str(error))
            echo(result.report())
            results.append(result)
    finally:
        if prism is not None:
            prism.stop()
    return results


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_compatibility(results: Sequence[Result], path: Path, *, notes: Dict[str, str] | None = None) -> str:
    """Write the matrix as Markdown to ``path`` and return the text."""
    notes = {**KNOWN_LIMITS, **(notes or {})}
    source = results[0].source if results else DEFAULT_SOURCE
    lines = [
        "# Compatibility with xero-python",
        "",
        "Each row is that release's own test suite (from its sdist on PyPI) run with",
        f"`ledgerflow_xero.patch(source={source})` active, by `scripts/run_upstream_tests.py --matrix`",
        f"on Python {platform.python_version()}, {datetime.date.today().isoformat()}. Recorded VCR cassettes",
        "are replayed only when the shim sent exactly the routed request (method, URL, query, body);",
        "the 11 sandbox tests of recent releases run against Prism 5 serving Xero's accounting",
        "spec 16.1.0; any request aimed at a `*.xero.com` host fails its test. Deviations are the",
        "documented, strictly expected failures in `scripts/ledgerflow_tools/compat/deviations.json`.",
        "Releases before 6 point their sandbox tests at a hosted mock instead (unreachable from",
        "here); those tests are counted as not run, never as passed.",
        "",
        "| xero-python | tests run | passed | deviations | not run | result |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        verdict = result.verdict
        if result.release in notes:
            verdict = f"{notes[result.release]} ({result.failed} failed here)"
        elif result.error:
            verdict = f"{verdict}: {result.error}"
        elif result.failures:
            verdict += ": " + "; ".join(f"`{test}` {why}" for test, why in result.failures.items())
        lines.append(
            f"| {result.release} | {result.run} | {result.passed} | {result.deviations} | {result.not_run} "
            f"| {_cell(verdict)} |"
        )
    deviation_tests = sorted({test for result in results for test in result.deviation_tests})
    if deviation_tests:
        lines += ["", "Deviations seen: " + ", ".join(f"`{test}`" for test in deviation_tests) + "."]
    text = "\n".join(lines) + "\n"
    Path(path).write_text(text, encoding="utf-8")
    return text
