"""Run one xero-python release's own test suite with Ledgerflow routing active.

For a release it builds (once, cached under :func:`~ledgerflow_tools.compat.paths.cache_dir`)
a throwaway virtual environment holding that xero-python, upstream's test requirements and
this package, downloads the release's sdist with pip, extracts its ``tests/``, and runs
pytest there with :mod:`ledgerflow_tools.compat.plugin` active for one source. The Prism
mock the sandbox tests need is started here unless the caller passes one that runs, or
asks for an offline run.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Sequence

from ledgerflow_xero.routing import DEFAULT_HOST
from ledgerflow_xero.sources import SourceLike, parse_source

from .. import SCRIPTS_DIR
from ..errors import UpstreamSuiteError
from . import outcomes as outcome_names
from .paths import PACKAGE_DIR, checkout_root, sha256_of
from .paths import cache_dir as default_cache_dir
from .prism import PrismServer

DEFAULT_SOURCE = 1004
NEWEST_TESTED = "15.2.0"
# Upstream's requirements/test.txt (pytest, pytest-vcr, pyyaml; vcrpy comes with pytest-vcr),
# plus what this package needs at run time besides xero-python.
TEST_REQUIREMENTS = ("pytest>=8", "pytest-vcr", "pyyaml", "wrapt>=1.14", "packaging>=21")
STAMP = ".ledgerflow-stamp.json"
_SUMMARY = re.compile(r"^=*\s*((?:\d+ [a-z]+(?:, )?)+ in [\d.]+s(?: \([^)]*\))?)\s*=*$")

Echo = Callable[[str], None]


@dataclass
class Result:
    """What one run of a release's suite proved."""

    release: str
    source: int
    offline: bool = False
    collected: int = 0
    passed: int = 0
    deviations: int = 0
    failed: int = 0
    not_run: int = 0
    skipped: int = 0
    summary_line: str = ""
    failures: Dict[str, str] = field(default_factory=dict)
    deviation_tests: List[str] = field(default_factory=list)
    not_run_reasons: List[str] = field(default_factory=list)
    error: str | None = None
    wall_seconds: float = 0.0
    lock_wait_seconds: float = 0.0
    log_path: str | None = None

    @property
    def run(self) -> int:
        """Tests that actually ran (collected, less those not run offline or skipped upstream)."""
        return self.collected - self.not_run - self.skipped

    @property
    def ok(self) -> bool:
        """Every test that ran passed or is a documented deviation, and nothing went wrong."""
        return self.error is None and self.collected > 0 and self.failed == 0 and self.passed > 0

    @property
    def verdict(self) -> str:
        if self.error is not None:
            return "cannot run"
        if not self.ok:
            return "FAIL"
        if not self.not_run:
            return "pass"
        return f"pass; {self.not_run} not run ({'; '.join(self.not_run_reasons) or 'offline'})"

    def report(self) -> str:
        """A few lines for a person: counts, deviations, failures."""
        lines = [
            f"xero-python {self.release}, source {self.source}: {self.verdict}",
            f"  collected {self.collected}; run {self.run}; passed {self.passed}; documented deviations "
            f"{self.deviations}; failed {self.failed}; not run {self.not_run}; skipped upstream {self.skipped}"
            f"; wall {self.wall_seconds:.1f} s"
            + (f" (after {self.lock_wait_seconds:.1f} s waiting for the Prism lock)" if self.lock_wait_seconds else ""),
        ]
        if self.error:
            lines.append(f"  error: {self.error}")
        lines += [f"  deviation: {test}" for test in self.deviation_tests]
        lines += [f"  FAILED {test}: {why}" for test, why in self.failures.items()]
        if self.log_path:
            lines.append(f"  log: {self.log_path}")
        return "\n".join(lines)


def _run(command: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


def _tail(text: str, lines: int = 6) -> str:
    kept = [line for line in text.strip().splitlines() if not line.startswith("WARNING: Location")]
    return "\n".join(kept[-lines:])


def _pip_error(text: str) -> str:
    """The line of pip's output that says why it failed."""
    for line in text.splitlines():
        if line.startswith("ERROR:") or "error:" in line.lower() and "WARNING" not in line:
            return line.strip()
    return _tail(text, 3)


class Environment:
    """The cached throwaway virtual environment for one xero-python release."""

    def __init__(self, release: str, cache: Path, echo: Echo, archive: Path | None = None) -> None:
        self.release = release
        self.echo = echo
        self.archive = archive
        python_tag = f"py{sys.version_info[0]}{sys.version_info[1]}"
        # From a given sdist, the environment is that file's: keyed by its SHA-256.
        self.key = f"{release}-{sha256_of(archive)[:16]}" if archive is not None else release
        self.path = cache / "venvs" / f"xero-python-{self.key}-{python_tag}"
        self.python = self.path / "bin" / "python"
        self.stamp_path = self.path / STAMP

    def _stamp(self) -> Dict[str, str]:
        try:
            return json.loads(self.stamp_path.read_text())
        except (OSError, ValueError):
            return {}

    def prepare(self) -> None:
        """Create the venv with xero-python and the test requirements, then (re)install this package."""
        stamp = self._stamp()
        base_key = json.dumps([self.key, TEST_REQUIREMENTS])
        if stamp.get("base") != base_key or not self.python.exists():
            if self.path.exists():
                shutil.rmtree(self.path)
            self.echo(f"creating {self.path}")
            created = _run([sys.executable, "-m", "venv", str(self.path)])
            if created.returncode != 0:
                raise UpstreamSuiteError(f"cannot create a virtual environment: {_tail(created.stdout)}")
            wanted = str(self.archive) if self.archive is not None else f"xero-python=={self.release}"
            installed = self._pip("install", wanted, *TEST_REQUIREMENTS)
            if installed.returncode != 0:
                shutil.rmtree(self.path, ignore_errors=True)
                raise UpstreamSuiteError(
                    f"pip cannot install xero-python=={self.release} on Python {sys.version.split()[0]}: "
                    f"{_pip_error(installed.stdout)}"
                )
            stamp = {"base": base_key}
        package_key = _package_fingerprint()
        if stamp.get("package") != package_key:
            self._install_this_package()
            stamp["package"] = package_key
        self.stamp_path.write_text(json.dumps(stamp))

    def _pip(self, *args: str) -> subprocess.CompletedProcess[str]:
        return _run([str(self.python), "-m", "pip", "--disable-pip-version-check", "-q", *args])

    def _install_this_package(self) -> None:
        root = checkout_root()
        if root is not None:
            done = self._pip("install", "--no-deps", "-e", str(root))
            if done.returncode != 0:
                raise UpstreamSuiteError(f"pip cannot install this checkout ({root}): {_pip_error(done.stdout)}")
            return
        self._link_installed_package()

    def _link_installed_package(self) -> None:
        """For an installed (not checked-out) package: expose that very package and its
        metadata to the venv through a .pth file, without exposing its site-packages."""
        distribution = metadata.distribution("ledgerflow-xero")
        link_dir = self.path / "ledgerflow-under-test"
        shutil.rmtree(link_dir, ignore_errors=True)
        info = link_dir / f"ledgerflow_xero-{distribution.version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(distribution.read_text("METADATA") or "", encoding="utf-8")
        (link_dir / "ledgerflow_xero").symlink_to(PACKAGE_DIR)
        site = _run([str(self.python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
        Path(site.stdout.strip(), "ledgerflow_xero_under_test.pth").write_text(f"{link_dir}\n")


def _package_fingerprint() -> str:
    root = checkout_root()
    if root is not None:
        digest = hashlib.sha256((root / "pyproject.toml").read_bytes()).hexdigest()[:16]
        return f"checkout:{root}:{digest}"
    package = PACKAGE_DIR
    return f"installed:{package}:{metadata.version('ledgerflow-xero')}"


def fetch_suite(release: str, cache: Path, echo: Echo, archive: Path | None = None) -> Path:
    """The release's ``tests/`` (and its ``setup.cfg``, which holds its pytest settings),
    extracted from its sdist into ``<cache>/suites/<release>``; downloaded once. With ``archive``
    (the sdist every other check read), from that file, under ``<cache>/suites/<its SHA-256>``."""
    if archive is not None:
        suite = cache / "suites" / sha256_of(archive)[:32]
        if not (suite / "tests").is_dir():
            staging = Path(tempfile.mkdtemp(prefix=f"suite-{release}-", dir=_ensure(cache / "suites")))
            try:
                _extract_tests(archive, staging)
                if not (staging / "tests").is_dir():
                    raise UpstreamSuiteError(f"{archive.name} ships no tests/ folder")
                shutil.rmtree(suite, ignore_errors=True)
                staging.rename(suite)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return suite
    suite = cache / "suites" / release
    if (suite / "tests").is_dir():
        return suite
    with tempfile.TemporaryDirectory(prefix="xero-python-sdist-") as download_dir:
        echo(f"downloading the xero-python {release} sdist")
        downloaded = _run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-binary",
                ":all:",
                "--no-deps",
                "--disable-pip-version-check",
                "-q",
                "-d",
                download_dir,
                f"xero-python=={release}",
            ]
        )
        archives = list(Path(download_dir).iterdir())
        if downloaded.returncode != 0 or len(archives) != 1:
            raise UpstreamSuiteError(
                f"pip cannot download the xero-python {release} sdist: {_pip_error(downloaded.stdout)}"
            )
        staging = Path(tempfile.mkdtemp(prefix=f"suite-{release}-", dir=_ensure(cache / "suites")))
        try:
            _extract_tests(archives[0], staging)
            if not (staging / "tests").is_dir():
                raise UpstreamSuiteError(f"the xero-python {release} sdist ships no tests/ folder")
            if suite.exists():
                shutil.rmtree(suite)
            staging.rename(suite)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return suite


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive flock on ``lock_path`` (created if need be) for the block."""
    _ensure(lock_path.parent)
    with open(lock_path, "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _wanted(member: str) -> str | None:
    """The path to extract an sdist member to (its top folder dropped), if it is wanted."""
    parts = Path(member).parts
    if len(parts) < 2 or ".." in parts:
        return None
    inner = Path(*parts[1:])
    if inner.parts[0] == "tests" or str(inner) == "setup.cfg":
        return str(inner)
    return None


def _extract_tests(archive: Path, target: Path) -> None:
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as bundle:
            for name in bundle.namelist():
                destination = _wanted(name)
                if destination and not name.endswith("/"):
                    out = target / destination
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(bundle.read(name))
        return
    with tarfile.open(archive) as bundle:
        for member in bundle.getmembers():
            destination = _wanted(member.name)
            if destination and member.isfile():
                out = target / destination
                out.parent.mkdir(parents=True, exist_ok=True)
                source = bundle.extractfile(member)
                if source is not None:
                    out.write_bytes(source.read())


def _pytest_config(suite: Path) -> Path:
    """Upstream's setup.cfg when it configures pytest, else an empty ini, so no pytest
    settings from a folder above the cache leak in."""
    setup_cfg = suite / "setup.cfg"
    if setup_cfg.is_file() and "[tool:pytest]" in setup_cfg.read_text(encoding="utf-8", errors="replace"):
        return setup_cfg
    ini = suite / "pytest.ini"
    if not ini.exists():
        ini.write_text("[pytest]\n")
    return ini


def run_suite(
    version: str = NEWEST_TESTED,
    source: SourceLike = DEFAULT_SOURCE,
    *,
    prism: PrismServer | None = None,
    offline: bool = False,
    spec: Path | None = None,
    host: str = DEFAULT_HOST,
    cache: Path | None = None,
    deviations_file: Path | None = None,
    stream: bool = True,
    echo: Echo = print,
    archive: Path | None = None,
) -> Result:
    """Run xero-python ``version``'s own suite with Ledgerflow routing for ``source``.

    ``prism``: a :class:`PrismServer` the caller already runs (a matrix shares one);
    when None, one is started here (from ``spec``) unless ``offline``. Offline, the
    tests that need Prism are reported as not run. ``stream`` shows pytest's output
    as it runs; it always goes to a log file in the cache too.

    ``archive``: run that sdist (installed from the file, its tests extracted from it) instead
    of fetching ``version`` from the index: what the sync run checks is that one file.

    Setup failures the caller can act on (npm or the spec missing, pip failing) raise
    :class:`UpstreamSuiteError`; so does a release pip cannot install, which a matrix
    turns into a "cannot run" row.
    """
    started = time.monotonic()
    source_id = int(parse_source(source))
    cache = cache or default_cache_dir()
    own_prism = None
    if prism is None and not offline:
        own_prism = PrismServer(spec, cache=cache, echo=echo)
        own_prism.start()  # Prism loads the spec while the environment is prepared
    try:
        environment = Environment(version, cache, echo, archive)
        # One run at a time per cached release: another checkout may reinstall its own package there.
        with _exclusive(environment.path.with_name(environment.path.name + ".lock")):
            environment.prepare()
            suite = fetch_suite(version, cache, echo, archive)
            if own_prism is not None:
                waited = own_prism.wait_ready()
                echo(f"Prism answers on {own_prism.url} (waited {waited:.1f} s after setup)")
            result = _run_pytest(environment, suite, source_id, host, offline, deviations_file, stream, echo)
    finally:
        if own_prism is not None:
            own_prism.stop()
    result.lock_wait_seconds = own_prism.lock_wait_seconds if own_prism is not None else 0.0
    result.wall_seconds = time.monotonic() - started - result.lock_wait_seconds
    return result


def _run_pytest(
    environment: Environment,
    suite: Path,
    source: int,
    host: str,
    offline: bool,
    deviations_file: Path | None,
    stream: bool,
    echo: Echo,
) -> Result:
    logs = _ensure(suite.parent.parent / "logs")
    log_path = logs / f"xero-python-{environment.release}-{source}.log"
    report_path = logs / f"xero-python-{environment.release}-{source}.json"
    report_path.unlink(missing_ok=True)
    command = [
        str(environment.python), "-m", "pytest", "-p", "no:cacheprovider", "-p", "ledgerflow_tools.compat.plugin",
        "-c", str(_pytest_config(suite)), "--rootdir", str(suite), "-q", "-rfEX",
        "--ledgerflow-source", str(source), "--ledgerflow-host", host, "--ledgerflow-report", str(report_path),
    ]  # fmt: skip
    if offline:
        command.append("--ledgerflow-offline")
    if deviations_file is not None:
        command += ["--ledgerflow-deviations", str(deviations_file)]
    command.append("tests")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LEDGERFLOW_", "PYTEST_"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # The plugin is maintainer tooling, not in the package: the suite imports it from scripts/.
    env["PYTHONPATH"] = str(SCRIPTS_DIR)
    output: List[str] = []
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command, cwd=suite, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            output.append(line.rstrip("\n"))
            if stream:
                echo(line.rstrip("\n"))
        process.wait()
    result = Result(release=environment.release, source=source, offline=offline, log_path=str(log_path))
    summaries = [match.group(1) for match in map(_SUMMARY.match, output) if match]
    result.summary_line = summaries[-1] if summaries else ""
    if not stream and result.summary_line:
        echo(f"xero-python {environment.release}: {result.summary_line}")
    try:
        report = json.loads(report_path.read_text())
    except (OSError, ValueError):
        result.error = f"pytest exited {process.returncode} without a report: {_tail(chr(10).join(output), 4)}"
        return result
    outcomes: Dict[str, str] = report["tests"]
    result.collected = len(outcomes)
    for test, outcome in outcomes.items():
        if outcome == outcome_names.PASSED:
            result.passed += 1
        elif outcome == outcome_names.DEVIATION:
            result.deviations += 1
            result.deviation_tests.append(test)
        elif outcome == outcome_names.NOT_RUN:
            result.not_run += 1
            reason = report["details"].get(test, "").replace("Skipped: ", "", 1).replace("not run: ", "", 1)
            if reason and reason not in result.not_run_reasons:
                result.not_run_reasons.append(reason)
        elif outcome == outcome_names.SKIPPED:
            result.skipped += 1
        else:
            result.failed += 1
            result.failures[test] = report["details"].get(test, "failed")
    if process.returncode not in (0, 1):
        result.error = f"pytest exited {process.returncode} (collection or usage error); see {log_path}"
    return result
