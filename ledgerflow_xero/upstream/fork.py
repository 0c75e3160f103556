"""Build xero-python with this project's ``patches/`` applied: the logic behind ``scripts/build_fork.py``.

The patched SDK takes its hosts from ``Configuration(api_host=..., identity_host=...,
login_host=...)``, so it reaches Ledgerflow through configuration alone; see ``patches/README.md``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List, Sequence, TextIO

from packaging.version import InvalidVersion, Version

from ..errors import LedgerflowError, UpstreamError
from . import pypi
from .checks import apply_patches, patch_files

DEFAULT_PATCHES_DIR = Path(__file__).resolve().parents[2] / "patches"


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
    ``destination`` and apply every patch.

    Returns the patched source tree (which still holds upstream's ``tests/``).
    """
    if archive is None:
        document = pypi.fetch_releases()
        archive = pypi.download(pypi.sdist_of(document, _version(version)), cache_dir, progress)
    root = pypi.extract(archive, destination)
    patches = patch_files(patches_dir)
    if not patches:
        raise UpstreamError(f"no *.patch files in {patches_dir}")
    problems = apply_patches(root, patches)
    if problems:
        raise UpstreamError(f"patches do not apply to xero-python {version}: {'; '.join(problems)}")
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
    args = parser.parse_args(argv)
    try:
        wheel = build_fork(
            args.xero_python,
            args.out,
            patches_dir=args.patches,
            cache_dir=args.cache_dir,
            keep_source=args.keep_source,
            isolated=not args.no_build_isolation,
        )
    except LedgerflowError as error:
        print(f"build_fork: error: {error}", file=sys.stderr)
        return 1
    print(wheel)
    return 0
