"""xero-python's releases and sdists, through pip (so pip's configuration applies: index, proxy,
certificates), cached under each sdist's SHA-256.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import List, TextIO

from packaging.version import InvalidVersion, Version

from ..compat.paths import cache_dir, sha256_of
from ..errors import UpstreamError

PROJECT = "xero-python"
DEFAULT_CACHE_DIR = cache_dir()
"""Shared with the compatibility runner: ``$LEDGERFLOW_XERO_CACHE`` or ``~/.cache/ledgerflow-xero``."""


def _pip(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run this interpreter's pip: its configuration (index, proxy, certificates) applies."""
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise UpstreamError(f"pip {args[0]} did not finish in {timeout:.0f} s") from None


def _pip_error(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in (done.stderr + done.stdout).splitlines() if not line.startswith("WARNING: Location")]
    errors = [line for line in lines if line.startswith("ERROR")]
    return (errors[-1] if errors else " ".join(lines[-3:])).strip()[:400] or f"exit status {done.returncode}"


def _index_options(index_url: str | None) -> List[str]:
    return ["--index-url", index_url] if index_url else []


def final_releases(index_url: str | None = None, project: str = PROJECT) -> List[Version]:
    """Every final release of ``project`` the package index lists, oldest first (``pip index versions``,
    so pip's configuration applies; ``index_url`` overrides its index)."""
    done = _pip("index", "versions", project, *_index_options(index_url), timeout=120)
    listed = next((line for line in done.stdout.splitlines() if line.startswith("Available versions:")), None)
    if done.returncode != 0 or listed is None:
        where = index_url or "pip's configured index"
        raise UpstreamError(f"could not list {project} releases on {where}: {_pip_error(done)}")
    versions = []
    for text in listed.split(":", 1)[1].split(","):
        try:
            version = Version(text.strip())
        except InvalidVersion:
            continue
        if not (version.is_prerelease or version.is_devrelease):
            versions.append(version)
    return sorted(versions)


def newer_releases(available: List[Version], vetted: Version | None) -> List[Version]:
    """The final releases newer than ``vetted`` (all of them when nothing is vetted yet)."""
    return [version for version in available if vetted is None or version > vetted]


def download(
    version: Version, cache_dir: Path = DEFAULT_CACHE_DIR, index_url: str | None = None, progress: TextIO = sys.stderr
) -> Path:
    """``project==version``'s sdist, fetched with ``pip download --no-deps --no-binary :all:`` and
    kept in the cache under its SHA-256 (``sdists/<sha256>/<file>``); returns the cached path."""
    print(f"pip download xero-python=={version} (sdist) ...", file=progress)
    with tempfile.TemporaryDirectory(prefix="ledgerflow-download-") as scratch:
        options = ["--no-deps", "--no-binary", ":all:", "-q", "-d", scratch, *_index_options(index_url)]
        if importlib.util.find_spec("setuptools") is not None:
            options.append("--no-build-isolation")  # no download of build tools just to read metadata
        done = _pip("download", *options, f"{PROJECT}=={version}")
        archives = [path for path in Path(scratch).iterdir() if path.name.endswith((".tar.gz", ".zip"))]
        if done.returncode != 0 or len(archives) != 1:
            raise UpstreamError(f"pip could not download the {PROJECT} {version} sdist: {_pip_error(done)}")
        return cache_sdist(archives[0], cache_dir)


def cache_sdist(archive: Path, cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    """A copy of ``archive`` in the cache, under its SHA-256: every check reads that one file."""
    digest = sha256_of(archive)
    target = cache_dir / "sdists" / digest / archive.name
    if not target.is_file() or sha256_of(target) != digest:  # absent, or altered since it was cached
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        shutil.copyfile(archive, partial)
        partial.replace(target)
    return target


def sdist_version(archive: Path) -> Version:
    """The version an sdist declares (``Version:`` in its ``PKG-INFO``)."""
    try:
        with tarfile.open(archive) as tar:
            members = tar.getmembers()
            member = next((m for m in members if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")), None)
            source = tar.extractfile(member) if member is not None else None
            text = source.read().decode("utf-8", "replace") if source is not None else ""
    except (OSError, tarfile.TarError) as error:
        raise UpstreamError(f"{archive}: not a readable sdist: {error}") from None
    line = next((line for line in text.splitlines() if line.startswith("Version:")), None)
    if line is None:
        raise UpstreamError(f"{archive.name}: no PKG-INFO with a Version: line at its top folder")
    try:
        return Version(line.split(":", 1)[1].strip())
    except InvalidVersion:
        raise UpstreamError(f"{archive.name}: PKG-INFO version {line!r} is not a version") from None


def extract(archive: Path, destination: Path) -> Path:
    """Unpack an sdist into ``destination``; returns its root folder (``xero_python-X.Y.Z``)."""
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        for member in members:
            target = (destination / member.name).resolve()
            if not str(target).startswith(str(destination.resolve()) + os.sep) or member.issym() or member.islnk():
                raise UpstreamError(f"{archive.name}: refusing archive member {member.name!r}")
        if hasattr(tarfile, "data_filter"):
            tar.extractall(destination, filter="data")
        else:  # Python before 3.11.4; members were checked above
            tar.extractall(destination)
    roots = {member.name.split("/", 1)[0] for member in members}
    if len(roots) != 1:
        raise UpstreamError(f"{archive.name}: expected one top-level folder, found {sorted(roots)}")
    return destination / roots.pop()
