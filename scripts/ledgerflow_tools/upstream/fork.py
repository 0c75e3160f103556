"""Build xero-python with this project's ``patches/`` applied: the logic behind ``scripts/build_fork.py``.

The patched SDK takes its hosts from ``Configuration(api_host=..., identity_host=...,
login_host=...)``, so it reaches Ledgerflow through configuration alone; see ``patches/README.md``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Sequence, TextIO

from packaging.version import InvalidVersion, Version

from ledgerflow_xero.errors import LedgerflowError

from .. import CHECKOUT_ROOT
from ..errors import UpstreamError
from . import pypi
from .checks import apply_patches, patch_files

DEFAULT_PATCHES_DIR = CHECKOUT_ROOT / "patches"
LOCAL_LABEL = "ledgerflow.1"
"""The PEP 440 local version label of the fork's wheel (``15.2.0+ledgerflow.1``), so it can never
be mistaken for upstream's release; raise the number when the patches change."""


def stamp_local_version(root: Path, version: str, label: str = LOCAL_LABEL) -> str:
    """Give the unpacked release at ``root`` the version ``version+label`` (setup.py and
    ``xero_python.__version__``); returns it."""
    local = f"{version}+{label}"
    for file, old, new in (
        ("setup.py", f'version="{version}"', f'version="{local}"'),
        ("xero_python/__init__.py", f'__version__ = "{version}"', f'__version__ = "{local}"'),
    ):
        path = root / file
        text = path.read_text(encoding="utf-8")
        if old not in text:
            raise UpstreamError(f"{file}: cannot find {old} to add the local version label")
        path.write_text(text.replace(old, new), encoding="utf-8")
    return local


def _version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        raise UpstreamError(f"{text!r} is not a xero-python version; expected e.g. 15.2.0") from None


def prepare_source(
    version: str,
    destination: Path,
    *,
    patches_dir: Path = DEFAULT_PATCHES_DIR,
    cache_dir: Path = pypi.DEFAULT_CACHE_DIR,
    archive: Path | None = None,
    progress: TextIO = sys.stderr,
) -> Path:
    """Download ``version``'s sdist (unless ``archive`` is that sdist already), unpack it under
    ``destination``, apply every patch and stamp the local version label (``+ledgerflow.1``).

    Returns the patched source tree (which still holds upstream's ``tests/``).
    """
    if archive is None:
        archive = pypi.download(_version(version), cache_dir, progress=progress)
    root = pypi.extract(archive, destination)
    patches = patch_files(patches_dir)
    if not patches:
        raise UpstreamError(f"no *.patch files in {patches_dir}")
    problems = apply_patches(root, patches)
    if problems:
        raise UpstreamError(f"patches do not apply to xero-python {version}: {'; '.join(problems)}")
    stamp_local_version(root, version)
    return root


def build_wheel(source: Path, out_dir: Path, *, isolated: bool = True) -> Path:
    """Build a wheel from a (patched) source tree into ``out_dir``; returns its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    before = set(out_dir.glob("*.whl"))
    command: List[str] = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out_dir), str(source)]
    if not isolated:
        command.insert(4, "--no-build-isolation")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise UpstreamError(f"building the wheel failed: {done.stderr.strip()[-2000:]}")
    built = sorted(set(out_dir.glob("*.whl")) - before) or sorted(out_dir.glob("xero_python-*.whl"))
    if not built:
        raise UpstreamError(f"pip reported success but left no wheel in {out_dir}")
    return built[-1]


def build_fork(
    version: str,
    out_dir: Path,
    *,
    patches_dir: Path = DEFAULT_PATCHES_DIR,
    cache_dir: Path = pypi.DEFAULT_CACHE_DIR,
    keep_source: Path | None = None,
    isolated: bool = True,
    archive: Path | None = None,
    progress: TextIO = sys.stderr,
) -> Path:
    """The patched wheel of xero-python ``version`` in ``out_dir``.

    ``keep_source`` keeps the patched tree there (to run upstream's tests against the fork).
    """
    with tempfile.TemporaryDirectory(prefix="ledgerflow-fork-") as scratch:
        source = prepare_source(
            version, Path(scratch), patches_dir=patches_dir, cache_dir=cache_dir, archive=archive, progress=progress
        )
        if keep_source is not None:  # copied before the build litters the tree with build/
            if keep_source.exists():
                shutil.rmtree(keep_source)
            shutil.copytree(source, keep_source)
        return build_wheel(source, out_dir, isolated=isolated)


@dataclass
class ForkSuiteResult:
    """Upstream's own test suite run against the fork's wheel, with no Ledgerflow routing."""

    summary_line: str
    counts: Dict[str, int]
    returncode: int
    log_path: Path

    @property
    def ok(self) -> bool:
        bad = sum(self.counts.get(word, 0) for word in ("failed", "error", "errors", "xpassed"))
        return self.returncode == 0 and bad == 0 and self.counts.get("passed", 0) > 0


def run_fork_suite(
    wheel: Path,
    source: Path,
    version: str,
    *,
    cache: Path = pypi.DEFAULT_CACHE_DIR,
    spec: Path | None = None,
    echo: Callable[[str], None] = print,
) -> ForkSuiteResult:
    """Run the patched tree's own ``tests/`` against ``wheel`` in a throwaway environment.

    The environment is the compatibility runner's (that xero-python release plus upstream's
    test requirements, cached under ``cache/fork``), with the fork's wheel installed over
    PyPI's build. No ledgerflow plugin is loaded, so nothing routes: this is upstream's suite
    as upstream runs it, against the fork. The 11 sandbox tests talk to the compatibility
    runner's Prism (which holds the 127.0.0.1:4010 lock while it runs). Cassettes replay only
    (``--vcr-record=none``).
    """
    from ..compat.prism import PrismServer
    from ..compat.runner import Environment

    environment = Environment(version, cache / "fork", echo)
    environment.prepare()
    installed = subprocess.run(
        [str(environment.python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)],
        capture_output=True,
        text=True,
    )
    if installed.returncode != 0:
        raise UpstreamError(f"pip cannot install the fork wheel {wheel.name}: {installed.stderr.strip()[-800:]}")
    probe = subprocess.run(
        [str(environment.python), "-c", _FORK_PROBE],
        capture_output=True,
        text=True,
        cwd=environment.path,
    )
    if probe.returncode != 0:
        raise UpstreamError(f"the environment does not import the fork's xero_python: {probe.stderr.strip()[-800:]}")
    logs = cache / "fork" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"xero-python-{version}-fork.log"
    with tempfile.TemporaryDirectory(prefix="ledgerflow-fork-suite-") as scratch:
        # A copy of tests/ away from the patched xero_python/ folder, so the wheel is what is imported.
        suite = Path(scratch)
        shutil.copytree(source / "tests", suite / "tests")
        shutil.copy2(source / "setup.cfg", suite / "setup.cfg")
        command = [
            str(environment.python), "-m", "pytest", "-p", "no:cacheprovider", "-c", "setup.cfg",
            "--rootdir", str(suite), "-q", "-rfE", "--vcr-record=none", "tests",
        ]  # fmt: skip
        env = {key: value for key, value in os.environ.items() if not key.startswith(("LEDGERFLOW_", "PYTEST_"))}
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        with PrismServer(spec, cache=cache, echo=echo):
            done = subprocess.run(command, cwd=suite, env=env, capture_output=True, text=True)
    log_path.write_text(done.stdout + done.stderr)
    summary = next((line.strip("= ") for line in reversed(done.stdout.splitlines()) if _SUMMARY.search(line)), "")
    counts = {word: int(number) for number, word in _COUNT.findall(summary)}
    return ForkSuiteResult(summary, counts, done.returncode, log_path)


# Fails unless the imported xero_python is the fork (its Configuration takes the host settings).
_FORK_PROBE = (
    "from xero_python.api_client.configuration import Configuration; Configuration(api_host='http://127.0.0.1')"
)
_SUMMARY = re.compile(r"\d+ (passed|failed|error|errors)\b.* in [\d.]+s")
_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|deselected|xfailed|xpassed)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="build_fork.py",
        description="Download a xero-python sdist, apply patches/*.patch in order, and build a wheel.",
    )
    parser.add_argument("--xero-python", required=True, metavar="VERSION", help="the release to patch, e.g. 15.2.0")
    parser.add_argument(
        "--out", type=Path, default=pypi.DEFAULT_CACHE_DIR / "fork", help="folder for the wheel (default %(default)s)"
    )
    parser.add_argument("--patches", type=Path, default=DEFAULT_PATCHES_DIR, help="patch folder (default %(default)s)")
    parser.add_argument(
        "--cache-dir", type=Path, default=pypi.DEFAULT_CACHE_DIR, help="sdist cache (default %(default)s)"
    )
    parser.add_argument("--keep-source", type=Path, help="also keep the patched source tree here")
    parser.add_argument(
        "--no-build-isolation", action="store_true", help="build with this environment's setuptools (no download)"
    )
    parser.add_argument(
        "--run-tests", action="store_true", help="then run upstream's own suite against the wheel (needs npm, the spec)"
    )
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="ledgerflow-fork-source-") as scratch:
            source = args.keep_source or Path(scratch) / "source"
            wheel = build_fork(
                args.xero_python,
                args.out,
                patches_dir=args.patches,
                cache_dir=args.cache_dir,
                keep_source=source if args.run_tests or args.keep_source else None,
                isolated=not args.no_build_isolation,
            )
            print(wheel)
            if not args.run_tests:
                return 0
            result = run_fork_suite(wheel, source, args.xero_python, cache=args.cache_dir)
    except LedgerflowError as error:
        print(f"build_fork: error: {error}", file=sys.stderr)
        return 1
    print(f"upstream's suite against the fork: {result.summary_line} (log: {result.log_path})")
    return 0 if result.ok else 1
