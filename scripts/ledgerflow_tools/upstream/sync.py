"""Vet new xero-python releases: the logic behind ``scripts/sync_upstream.py``.

For each release newer than the one recorded in ``patches/UPSTREAM`` (or, when there is none,
the vetted release again) -- or for one local sdist (``--sdist PATH``) -- it fetches the sdist
with ``pip download`` (pip's configuration applies; ``--index-url`` overrides the index), keeps
it in the cache under its SHA-256, and runs every check on that one file: the URL inventory
(every host), URL sources, the call path to the choke point, the transport, the choke point's
signature, the patches, the dynamic probe and the compatibility suite. It prints one line per
check and a verdict, and writes the same report as markdown. With ``write=True`` and every check
passed, it records the release and its SHA-256 in ``patches/UPSTREAM``, extends the declared
xero-python range to exactly that release, regenerates its COMPATIBILITY.md row and adds it to
the package's list of vetted releases (``ledgerflow_xero/_vetted.py``).
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
from .probe import NAME as PROBE_NAME
from .static import check_call_path, check_transport, check_url_sources

VETTED_FILE = Path("patches") / "UPSTREAM"
PATCHES_DIR = Path("patches")
PYPROJECT = Path("pyproject.toml")
COMPATIBILITY = Path("COMPATIBILITY.md")
VETTED_MODULE = Path("ledgerflow_xero") / "_vetted.py"

CompatRunner = Callable[[Version, Path], CheckResult]
"""Runs xero-python's own test suite for a release (given its sdist) with the shim active."""
ProbeRunner = Callable[[Path, str], CheckResult]
"""Runs the dynamic probe on a release (given its sdist and that file's SHA-256)."""


@dataclass
class ReleaseReport:
    """The checks run on one release."""

    version: Version
    checks: List[CheckResult] = field(default_factory=list)
    findings: List[UrlFinding] = field(default_factory=list)
    sha256: str | None = None
    archive: Path | None = None

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


def read_vetted_sha256(root: Path) -> str | None:
    """The SHA-256 of the vetted sdist recorded in ``patches/UPSTREAM`` (``sha256 <hex> <file>``)."""
    path = root / VETTED_FILE
    if not path.is_file():
        return None
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "sha256":
            return parts[1]
    return None


def write_vetted(root: Path, version: Version, sha256: str | None = None, filename: str | None = None) -> None:
    """Record ``version`` (and its sdist's SHA-256) as the newest vetted release."""
    lines = [
        "# The newest xero-python release scripts/sync_upstream.py has vetted (--write records it),",
        "# and the SHA-256 of the very sdist every check read.",
        str(version),
    ]
    if sha256:
        lines.append(f"sha256 {sha256} {filename or ''}".rstrip())
    (root / VETTED_FILE).write_text("\n".join(lines) + "\n")


_DEPENDENCY = re.compile(r'^(?P<indent>\s*)"xero-python(?P<spec>[^";]*)"', re.MULTILINE)


def extend_range(pyproject_text: str, version: Version) -> Tuple[str, str, str]:
    """(new text, old specifier, new specifier): the xero-python dependency's upper bound set to
    exactly ``<=version``, so the declared range admits vetted releases only. Never narrows it."""
    match = _DEPENDENCY.search(pyproject_text)
    if not match:
        raise UpstreamError("pyproject.toml declares no xero-python dependency to extend")
    old = match.group("spec").strip()
    try:
        specifiers = SpecifierSet(old)
    except InvalidSpecifier:
        raise UpstreamError(f"pyproject.toml: cannot read the xero-python range {old!r}") from None
    kept = []
    for spec in specifiers:
        if spec.operator in ("<", "<="):
            bound = Version(spec.version)
            if bound > version or (spec.operator == "<=" and bound == version):
                return pyproject_text, old, old  # already admits it: never narrow
        elif spec.operator in ("==", "~=", "===", "!="):
            raise UpstreamError(f"pyproject.toml: xero-python range {old!r} has {spec}; extend it by hand")
        else:
            kept.append(str(spec))
    new = ",".join([*sorted(kept), f"<={version}"])
    start, end = match.span("spec")
    return pyproject_text[:start] + new + pyproject_text[end:], old, new


_ROW = re.compile(r"^\| (?P<version>[0-9][^ |]*) \|", re.MULTILINE)


def update_compatibility_row(text: str, version: Version, cells: Sequence[str]) -> str:
    """COMPATIBILITY.md with ``version``'s row replaced (or inserted in version order)."""
    row = "| " + " | ".join([str(version), *[_cell(cell) for cell in cells]]) + " |"
    rows = list(_ROW.finditer(text))
    for match in rows:
        if Version(match.group("version")) == version:
            end = text.find("\n", match.start())
            return text[: match.start()] + row + (text[end:] if end != -1 else "\n")
    after = [m for m in rows if Version(m.group("version")) < version]
    if after:
        end = text.find("\n", after[-1].start())
        end = len(text) if end == -1 else end
        return text[:end] + "\n" + row + text[end:]
    if rows:
        return text[: rows[0].start()] + row + "\n" + text[rows[0].start() :]
    return text.rstrip("\n") + "\n" + row + "\n"


def vetted_releases(root: Path) -> List[Version]:
    """The releases listed in the package's generated ``_vetted.py``."""
    path = root / VETTED_MODULE
    if not path.is_file():
        return []
    return sorted(Version(v) for v in re.findall(r'"([0-9][^"]*)"', path.read_text()))


def write_vetted_module(root: Path, releases: Sequence[Version]) -> None:
    """Regenerate ``ledgerflow_xero/_vetted.py`` (the list routed clients check at run time)."""
    items = "".join(f'    "{version}",\n' for version in sorted(set(releases)))
    (root / VETTED_MODULE).write_text(
        '"""The xero-python releases this project has vetted. Generated by scripts/sync_upstream.py --write\n'
        "(and the compatibility matrix); do not edit by hand. ``ledgerflow_xero.vetting`` reads it.\n"
        '"""\n\n'
        f"VETTED_RELEASES = (\n{items})\n"
    )


def vet_release(
    version: Version,
    archive: Path,
    root: Path,
    compat: CompatRunner | None,
    probe: ProbeRunner | None,
    progress: TextIO,
) -> ReleaseReport:
    """Check one release's sdist; every failure becomes a failing check, never an exception."""
    report = ReleaseReport(version)
    report.sha256 = pypi.sha256_of(archive)
    report.archive = archive
    report.checks.append(CheckResult("sdist", True, f"{archive.name}, SHA-256 {report.sha256}"))
    with tempfile.TemporaryDirectory(prefix="ledgerflow-sync-") as scratch:
        try:
            release_root = pypi.extract(archive, Path(scratch))
        except (LedgerflowError, OSError) as error:
            report.checks.append(CheckResult("unpack", False, str(error)))
            return report
        try:
            report.findings = inventory(release_root)
            report.checks.append(check_inventory(report.findings))
            report.checks.append(check_url_sources(release_root))
            report.checks.append(check_call_path(release_root))
            report.checks.append(check_transport(release_root))
        except SyntaxError as error:  # the release needs a newer Python than this one to read
            file = Path(error.filename or "?")
            where = f"{file.relative_to(release_root).as_posix() if file.is_absolute() else file}:{error.lineno}"
            report.checks.append(CheckResult("static checks", False, f"{where}: cannot parse: {error.msg}"))
        report.checks.append(check_choke_point(release_root))
        report.checks.append(check_patches(release_root, root / PATCHES_DIR))
    if probe is None:
        report.checks.append(CheckResult(PROBE_NAME, False, "not run (--no-probe): cannot vet without it"))
    else:
        print(f"xero-python {version}: dynamic probe ...", file=progress)
        report.checks.append(probe(archive, report.sha256))
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
    probe: ProbeRunner | None = None,
    release: Version | None = None,
    sdist: Path | None = None,
    index_url: str | None = None,
    progress: TextIO = sys.stderr,
) -> SyncReport:
    """Run every check for the releases to vet (see the module docstring) and return the report.

    ``release`` checks that one release instead of those newer than the vetted one; ``sdist``
    checks that local file (its version is read from its PKG-INFO) and asks no index.
    """
    vetted = read_vetted(root)
    if sdist is not None:
        try:
            version = pypi.sdist_version(sdist)
            archive = pypi.cache_sdist(sdist, cache_dir)
        except (UpstreamError, OSError) as error:
            return SyncReport(vetted, CheckResult("input", False, f"{sdist}: {error}"))
        report = SyncReport(vetted, CheckResult("input", True, f"local sdist {sdist} (xero-python {version})"))
        report.releases.append(vet_release(version, archive, root, compat, probe, progress))
        if write and report.passed:
            _record(root, report)
        return report
    where = index_url or "pip's configured index"
    try:
        available = pypi.final_releases(index_url)
    except UpstreamError as error:
        return SyncReport(vetted, CheckResult("index", False, str(error)))
    if not available:
        return SyncReport(vetted, CheckResult("index", False, f"{where} lists no final xero-python release"))
    newest = available[-1]
    if release is not None:
        if release not in available:
            known = ", ".join(str(v) for v in available[-5:])
            return SyncReport(
                vetted, CheckResult("index", False, f"no final release {release} on {where}; newest: {known}")
            )
        targets, note = [release], f"checking {release} as asked"
    elif vetted is None:
        targets, note = [newest], f"nothing vetted yet: checking the newest, {newest}"
    else:
        targets = pypi.newer_releases(available, vetted)
        if targets:
            note = f"{len(targets)} newer than vetted {vetted}: {', '.join(map(str, targets))}"
        elif vetted in available:
            targets, note = [vetted], f"nothing newer than vetted {vetted}: re-checking it"
        else:
            return SyncReport(vetted, CheckResult("index", False, f"vetted {vetted} is not a final release on {where}"))
    report = SyncReport(vetted, CheckResult("index", True, f"{where}: newest final release {newest}; {note}"))
    for version in targets:
        print(f"checking xero-python {version} ...", file=progress)
        try:
            archive = pypi.download(version, cache_dir, index_url, progress)
        except UpstreamError as error:
            failed = ReleaseReport(version)
            failed.checks.append(CheckResult("sdist", False, str(error)))
            report.releases.append(failed)
            continue
        report.releases.append(vet_release(version, archive, root, compat, probe, progress))
    if write and report.passed and report.newest_checked is not None:
        _record(root, report)
    return report


def _record(root: Path, report: SyncReport) -> None:
    newest = report.newest_checked
    assert newest is not None
    release = next(r for r in report.releases if r.version == newest)
    if report.vetted is None or newest >= report.vetted:
        write_vetted(root, newest, release.sha256, release.archive.name if release.archive else None)
        report.written.append(f"{VETTED_FILE}: {newest} (sha256 {release.sha256})")
    pyproject = root / PYPROJECT
    text, old, new = extend_range(pyproject.read_text(), newest)
    if new != old:
        pyproject.write_text(text)
        report.written.append(f"{PYPROJECT}: xero-python{old} -> xero-python{new}")
    compat = next((c for c in release.checks if c.name == "compatibility suite"), None)
    cells = (compat.data.get("row") if compat is not None else None) or ["", "", "", "", "pass"]
    compatibility = root / COMPATIBILITY
    if compatibility.is_file():
        before = compatibility.read_text()
        after = update_compatibility_row(before, newest, cells)
        if after != before:
            compatibility.write_text(after)
            report.written.append(f"{COMPATIBILITY}: row {newest}")
    if (root / VETTED_MODULE).is_file() and newest not in vetted_releases(root):
        write_vetted_module(root, [*vetted_releases(root), newest])
        report.written.append(f"{VETTED_MODULE}: + {newest}")


def default_compat_runner() -> CompatRunner | None:
    """The compatibility runner (``scripts/run_upstream_tests.py``'s module), or None when absent."""
    try:
        from .compat_adapter import run_compatibility_suite
    except ImportError:
        return None
    return run_compatibility_suite


def default_probe_runner(cache_dir: Path, source: int = 1004) -> ProbeRunner:
    """The dynamic probe (:mod:`.probe`) as a report line, with the sync run's cache."""
    from .probe import run_probe

    def probe(archive: Path, sha256: str) -> CheckResult:
        return run_probe(archive, source=source, cache=cache_dir, sha256=sha256).to_check()

    return probe


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sync_upstream.py",
        description="Vet xero-python releases newer than patches/UPSTREAM (or one local sdist) against the shim, "
        "the routing table and the patches; exit 0 only when every check passed.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="check and report, change nothing (the default)")
    mode.add_argument(
        "--write",
        action="store_true",
        help="on success, record the release (and its sdist's SHA-256) in patches/UPSTREAM, extend pyproject's "
        "range to exactly it, regenerate its COMPATIBILITY.md row and the package's vetted list",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--release", type=Version, help="check this release instead of those newer than the vetted one")
    source.add_argument("--sdist", type=Path, help="check this local sdist file (no index is asked)")
    parser.add_argument("--index-url", help="package index for pip (default: pip's own configuration)")
    parser.add_argument("--report", type=Path, help="where to write the markdown report (default: in the cache dir)")
    parser.add_argument(
        "--cache-dir", type=Path, default=pypi.DEFAULT_CACHE_DIR, help="sdist cache (default %(default)s)"
    )
    parser.add_argument("--no-compat", action="store_true", help="skip the compatibility suite (the verdict fails)")
    parser.add_argument("--no-probe", action="store_true", help="skip the dynamic probe (the verdict fails)")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the project checkout (default: the current dir)")
    return parser


def main(
    argv: Sequence[str] | None = None, compat: CompatRunner | None = None, probe: ProbeRunner | None = None
) -> int:
    """The command line; returns 0 only when every check passed."""
    args = build_parser().parse_args(argv)
    runner = None if args.no_compat else (compat or default_compat_runner())
    if runner is None and not args.no_compat:
        runner = _missing_compat_runner
    prober = None if args.no_probe else (probe or default_probe_runner(args.cache_dir))
    try:
        report = sync(
            args.root,
            write=args.write,
            cache_dir=args.cache_dir,
            compat=runner,
            probe=prober,
            release=args.release,
            sdist=args.sdist,
            index_url=args.index_url,
        )
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
