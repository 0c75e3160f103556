"""xero-python's releases from PyPI's JSON API, and their sdists, downloaded once into a cache.

Uses ``requests`` (the ``tools`` extra), so tests can answer for PyPI with ``responses``.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import List, TextIO
from urllib.parse import urljoin

from packaging.version import InvalidVersion, Version

from ..compat.paths import cache_dir
from ..errors import UpstreamError

PROJECT = "xero-python"
PYPI_JSON_URL = "https://pypi.org/pypi/{project}/json"
DEFAULT_CACHE_DIR = cache_dir()
"""Shared with the compatibility runner: ``$LEDGERFLOW_XERO_CACHE`` or ``~/.cache/ledgerflow-xero``."""
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Sdist:
    """One release's source distribution as PyPI lists it."""

    version: Version
    filename: str
    url: str
    sha256: str | None
    size: int | None


def _requests():  # type: ignore[no-untyped-def]
    try:
        import requests
    except ImportError:
        raise UpstreamError("the upstream tools need 'requests': pip install 'ledgerflow-xero[tools]'") from None
    return requests


def fetch_releases(project: str = PROJECT, timeout: float = 30.0) -> dict:
    """PyPI's JSON document for ``project`` (its ``releases`` map version -> files)."""
    requests = _requests()
    url = PYPI_JSON_URL.format(project=project)
    try:
        response = requests.get(url, timeout=timeout, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise UpstreamError(f"could not read {url}: {error}") from None
    # A mirror may list file URLs relative to the JSON document.
    for files in document.get("releases", {}).values():
        for entry in files:
            if "url" in entry:
                entry["url"] = urljoin(response.url or url, entry["url"])
    return document


def final_releases(document: dict) -> List[Version]:
    """Every final (not pre-release, not yanked) version with an sdist, oldest first."""
    versions = []
    for text, files in document.get("releases", {}).items():
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if version.is_prerelease or version.is_devrelease:
            continue
        if any(f.get("packagetype") == "sdist" and not f.get("yanked") for f in files):
            versions.append(version)
    return sorted(versions)


def newer_releases(document: dict, vetted: Version | None) -> List[Version]:
    """The final releases newer than ``vetted`` (all of them when nothing is vetted yet)."""
    return [version for version in final_releases(document) if vetted is None or version > vetted]


def sdist_of(document: dict, version: Version) -> Sdist:
    """The sdist PyPI lists for ``version``; :class:`UpstreamError` when there is none."""
    for text, files in document.get("releases", {}).items():
        try:
            if Version(text) != version:
                continue
        except InvalidVersion:
            continue
        for entry in files:
            if entry.get("packagetype") == "sdist" and not entry.get("yanked"):
                return Sdist(
                    version,
                    entry["filename"],
                    entry["url"],
                    (entry.get("digests") or {}).get("sha256"),
                    entry.get("size"),
                )
    known = ", ".join(str(v) for v in final_releases(document)[-5:])
    raise UpstreamError(f"{PROJECT} {version} has no sdist on PyPI; newest releases with one: {known}")


def download(sdist: Sdist, cache_dir: Path = DEFAULT_CACHE_DIR, progress: TextIO = sys.stderr) -> Path:
    """The sdist's path in ``cache_dir/sdists``, downloading it (with progress) when absent.

    The SHA-256 PyPI publishes is checked before the file is kept.
    """
    target_dir = cache_dir / "sdists"
    target = target_dir / sdist.filename
    if target.is_file() and (sdist.sha256 is None or _sha256(target) == sdist.sha256):
        print(f"{sdist.filename}: cached at {target}", file=progress)
        return target
    target_dir.mkdir(parents=True, exist_ok=True)
    requests = _requests()
    partial = target.with_suffix(target.suffix + ".part")
    digest = hashlib.sha256()
    try:
        with requests.get(sdist.url, stream=True, timeout=60) as response:
            response.raise_for_status()
            total = int(response.headers.get("Content-Length") or sdist.size or 0)
            received = 0
            with partial.open("wb") as out:
                for chunk in response.iter_content(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    _show_progress(progress, sdist.filename, received, total)
        print(file=progress)
    except requests.RequestException as error:
        partial.unlink(missing_ok=True)
        raise UpstreamError(f"could not download {sdist.url}: {error}") from None
    if sdist.sha256 and digest.hexdigest() != sdist.sha256:
        partial.unlink(missing_ok=True)
        raise UpstreamError(f"{sdist.filename}: SHA-256 {digest.hexdigest()} does not match PyPI's {sdist.sha256}")
    partial.replace(target)
    return target


def _show_progress(stream: TextIO, name: str, received: int, total: int) -> None:
    if total:
        stream.write(f"\r{name}: {received / 1024:,.0f} of {total / 1024:,.0f} KiB ({100 * received // total}%)")
    else:
        stream.write(f"\r{name}: {received / 1024:,.0f} KiB")
    stream.flush()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for chunk in iter(lambda: source.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


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
