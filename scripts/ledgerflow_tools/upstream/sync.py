"""Vet new xero-python releases: the logic behind ``scripts/sync_upstream.py``.

For each release newer than the one recorded in ``patches/UPSTREAM`` (or, when there is none,
the vetted release again), it downloads the sdist and checks the URL inventory against the
routing table, the choke point the shim wraps, that every patch applies, and the
compatibility suite. It prints one line per check and a verdict, and writes the same report
as markdown. With ``write=True`` and every check passed, it records the newest release as
vetted and widens the declared xero-python range in ``pyproject.toml``.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Sequence, TextIO, Tuple

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from ledgerflow_xero.errors import LedgerflowError

from ..errors import UpstreamError
from . import pypi
from .checks import CheckResult, check_choke_point, check_inventory, check_patches
from .inventory import DOCUMENTATION, UrlFinding, inventory

VETTED_FILE = Path("patches") / "UPSTREAM"
PATCHES_DIR = Path("patches")
PYPROJECT = Path("pyproject.toml")

CompatRunner = Callable[[Version, Path], CheckResult]
"""Runs xero-python's own test suite for a release (given its sdist) with the shim active."""


@dataclass
class ReleaseReport:
    """The checks run on one release."""

    version: Version
    checks: List[CheckResult] = field(default_factory=list)
    findings: List[UrlFinding] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)


@dataclass
class SyncReport:
    """Everything one sync run found; :meth:`lines` and :meth:`markdown` render it."""

    vetted: Version | None
    pypi: CheckResult
    releases: List[ReleaseReport] = field(default_factory=list)
    written: List[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.pypi.passed and bool(self.releases) and all(release.passed for release in self.releases)

    @property
    def newest_checked(self) -> Version | None:
        return max((release.version for release in self.releases), default=None)

    def verdict(self) -> str:
        if not self.passed:
            failed = [f"{r.version} {c.name}" for r in self.releases for c in r.checks if not c.passed]
            if not self.pypi.passed:
                failed.insert(0, self.pypi.name)
            return f"FAIL: {', '.join(failed) or 'nothing was checked'}"
        return f"PASS: xero-python {self.newest_checked} vetted, every check green"

    def lines(self) -> List[str]:
        out = [f"[{self.pypi.mark}] {self.pypi.name}: {self.pypi.summary}"]
        for release in self.releases:
            for check in release.checks:
                out.append(f"[{check.mark}] {release.version} {check.name}: {check.summary}")
                out.extend(f"       {detail}" for detail in check.details)
        out.extend(f"wrote {item}" for item in self.written)
        out.append(f"Verdict: {self.verdict()}")
        return out

    def markdown(self, when: datetime.datetime) -> str:
        out = [f"# xero-python upstream sync, {when:%Y-%m-%d %H:%M} UTC", ""]
        out += [f"Vetted before this run: {self.vetted or 'nothing'}", ""]
        out += ["| release | check | result | summary |", "|---|---|---|---|"]
        out.append(f"| | {self.pypi.name} | {self.pypi.mark} | {_cell(self.pypi.summary)} |")
        for release in self.releases:
            for check in release.checks:
                out.append(f"| {release.version} | {check.name} | {check.mark} | {_cell(check.summary)} |")
        for release in self.releases:
            failures = [(c, d) for c in release.checks for d in c.details if not c.passed]
            if failures:
                out += ["", f"## {release.version}: failures", ""]
                out += [f"- {check.name}: `{_cell(detail)}`" for check, detail in failures]
            code = [f for f in release.findings if f.verdict != DOCUMENTATION]
            if code:
                docs = len(release.findings) - len(code)
                out += ["", f"## {release.version}: Xero URLs in code ({len(code)}; {docs} more in docstrings)", ""]
                out += ["| where | kind | URL | verdict |", "|---|---|---|---|"]
                out += [f"| {f.where} | {f.kind} | `{f.url}` | {f.verdict}: {f.detail} |" for f in code]
        if self.written:
            out += ["", "## Written", ""] + [f"- {item}" for item in self.written]
        out += ["", f"**Verdict: {self.verdict()}**", ""]
        return "\n".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def read_vetted(root: Path) -> Version | None:
    """The release recorded in ``patches/UPSTREAM``, or None when nothing is vetted yet."""
    path = root / VETTED_FILE
    if not path.is_file():
        return None
    text = next(
        (line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")), ""
    )
    try:
        return Version(text)
    except InvalidVersion:
        raise UpstreamError(f"{path}: {text!r} is not a version; expected one line such as 15.2.0") from None


def write_vetted(root: Path, version: Version) -> None:
    (root / VETTED_FILE).write_text(
        f"# The newest xero-python release scripts/sync_upstream.py has vetted (--write records it).\n{version}\n"
    )


_DEPENDENCY = re.compile(r'^(?P<indent>\s*)"xero-python(?P<spec>[^";]*)"', re.MULTILINE)


def widen_range(pyproject_text: str, version: Version) -> Tuple[str, str, str]:
    """(new text, old specifier, new specifier): the xero-python dependency widened to take
    ``version`` by raising its ``<`` bound to the next major. Never narrows it."""
    match = _DEPENDENCY.search(pyproject_text)
    if not match:
        raise UpstreamError("pyproject.toml declares no xero-python dependency to widen")
    old = match.group("spec").strip()
    try:
        specifiers = SpecifierSet(old)
    except InvalidSpecifier:
        raise UpstreamError(f"pyproject.toml: cannot read the xero-python range {old!r}") from None
    if version in specifiers:
        return pyproject_text, old, old
    widened = []
    for spec in specifiers:
        if spec.operator == "<" and version >= Version(spec.version):
            widened.append(f"<{version.major + 1}")
        elif spec.operator in ("<=", "==", "~=", "==="):
            raise UpstreamError(f"pyproject.toml: xero-python range {old!r} has {spec}; widen it by hand")
        else:
            widened.append(str(spec))
    new = ",".join(sorted(widened, key=lambda s: (not s.startswith(">"), s)))
    start, end = match.span("spec")
    return pyproject_text[:start] + new + pyproject_text[end:], old, new


def vet_release(
    version: Version,
    document: dict,
    root: Path,
    cache_dir: Path,
    compat: CompatRunner | None,
    progress: TextIO,
) -> ReleaseReport:
    """Download and check one release; every failure becomes a failing check, never an exception."""
    report = ReleaseReport(version)
    try:
        sdist = pypi.sdist_of(document, version)
        archive = pypi.download(sdist, cache_dir, progress)
    except LedgerflowError as error:
        report.checks.append(CheckResult("download", False, str(error)))
        return report
    digest = "SHA-256 checked" if sdist.sha256 else "PyPI published no SHA-256"
    report.checks.append(CheckResult("download", True, f"{sdist.filename} ({digest}) at {archive}"))
    with tempfile.TemporaryDirectory(prefix="ledgerflow-sync-") as scratch:
        try:
            release_root = pypi.extract(archive, Path(scratch))
        except (LedgerflowError, OSError) as error:
            report.checks.append(CheckResult("unpack", False, str(error)))
            return report
        try:
            report.findings = inventory(release_root)
            report.checks.append(check_inventory(report.findings))
        except SyntaxError as error:  # the release needs a newer Python than this one to read
            where = f"{error.filename}:{error.lineno}"
            report.checks.append(CheckResult("URL inventory", False, f"{where}: cannot parse: {error.msg}"))
        report.checks.append(check_choke_point(release_root))
        report.checks.append(check_patches(release_root, root / PATCHES_DIR))
    if compat is None:
        report.checks.append(CheckResult("compatibility suite", False, "not run (--no-compat): cannot vet without it"))
    else:
        try:
            report.checks.append(compat(version, archive))
        except LedgerflowError as error:
            report.checks.append(CheckResult("compatibility suite", False, str(error)))
    return report


def sync(
    root: Path,
    *,
    write: bool = False,
    cache_dir: Path = pypi.DEFAULT_CACHE_DIR,
    compat: CompatRunner | None = None,
    release: Version | None = None,
    progress: TextIO = sys.stderr,
) -> SyncReport:
    """Run every check for the releases to vet (see the module docstring) and return the report.

    ``release`` checks that one release instead of those newer than the vetted one.
    """
    vetted = read_vetted(root)
    try:
        document = pypi.fetch_releases()
    except UpstreamError as error:
        return SyncReport(vetted, CheckResult("PyPI", False, str(error)))
    available = pypi.final_releases(document)
    if not available:
        return SyncReport(vetted, CheckResult("PyPI", False, "PyPI lists no final xero-python release with an sdist"))
    newest = available[-1]
    if release is not None:
        if release not in available:
            known = ", ".join(str(v) for v in available[-5:])
            return SyncReport(
                vetted, CheckResult("PyPI", False, f"no final release {release} on PyPI; newest: {known}")
            )
        targets, note = [release], f"checking {release} as asked"
    elif vetted is None:
        targets, note = [newest], f"nothing vetted yet: checking the newest, {newest}"
    else:
        targets = pypi.newer_releases(document, vetted)
        if targets:
            note = f"{len(targets)} newer than vetted {vetted}: {', '.join(map(str, targets))}"
        elif vetted in available:
            targets, note = [vetted], f"nothing newer than vetted {vetted}: re-checking it"
        else:
            return SyncReport(vetted, CheckResult("PyPI", False, f"vetted {vetted} is not a final release on PyPI"))
    report = SyncReport(vetted, CheckResult("PyPI", True, f"newest final release {newest}; {note}"))
    for version in targets:
        print(f"checking xero-python {version} ...", file=progress)
        report.releases.append(vet_release(version, document, root, cache_dir, compat, progress))
    if write and report.passed and report.newest_checked is not None:
        _record(root, report)
    return report


def _record(root: Path, report: SyncReport) -> None:
    newest = report.newest_checked
    assert newest is not None
    if report.vetted is None or newest > report.vetted:
        write_vetted(root, newest)
        report.written.append(f"{VETTED_FILE}: {newest}")
    pyproject = root / PYPROJECT
    text, old, new = widen_range(pyproject.read_text(), newest)
    if new != old:
        pyproject.write_text(text)
        report.written.append(f"{PYPROJECT}: xero-python{old} -> xero-python{new}")


def default_compat_runner() -> CompatRunner | None:
    """The compatibility runner (``scripts/run_upstream_tests.py``'s module), or None when absent."""
    try:
        from .compat_adapter import run_compatibility_suite
    except ImportError:
        return None
    return run_compatibility_suite


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sync_upstream.py",
        description="Vet xero-python releases newer than patches/UPSTREAM against the shim, the routing table "
        "and the patches; exit 0 only when every check passed.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="check and report, change nothing (the default)")
    mode.add_argument(
        "--write", action="store_true", help="on success, record the release in patches/UPSTREAM and widen pyproject"
    )
    parser.add_argument("--release", type=Version, help="check this release instead of those newer than the vetted one")
    parser.add_argument("--report", type=Path, help="where to write the markdown report (default: in the cache dir)")
    parser.add_argument(
        "--cache-dir", type=Path, default=pypi.DEFAULT_CACHE_DIR, help="sdist cache (default %(default)s)"
    )
    parser.add_argument(
        "--no-compat", action="store_true", help="skip the compatibility suite (the verdict then fails)"
    )
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the project checkout (default: the current dir)")
    return parser


def main(argv: Sequence[str] | None = None, compat: CompatRunner | None = None) -> int:
    """The command line; returns 0 only when every check passed."""
    args = build_parser().parse_args(argv)
    runner = None if args.no_compat else (compat or default_compat_runner())
    if runner is None and not args.no_compat:
        runner = _missing_compat_runner
    try:
        report = sync(args.root, write=args.write, cache_dir=args.cache_dir, compat=runner, release=args.release)
    except LedgerflowError as error:
        print(f"sync_upstream: error: {error}", file=sys.stderr)
        return 2
    when = datetime.datetime.now(datetime.timezone.utc)
    report_path = args.report or args.cache_dir / "reports" / f"sync-{when:%Y%m%dT%H%M%S}.md"
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(report.markdown(when))
    for line in report.lines():
        print(line)
    print(f"report: {report_path}")
    return 0 if report.passed else 1


def _missing_compat_runner(version: Version, archive: Path) -> CheckResult:
    return CheckResult(
        "compatibility suite", False, "the compatibility runner (scripts/run_upstream_tests.py) is not installed"
    )
