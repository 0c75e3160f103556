"""Fixtures for the upstream-tracking tests: xero-python 15.2.0's real sdist, fetched with pip once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tools_path import add_tools_to_path

add_tools_to_path()

from ledgerflow_tools.upstream.pypi import DEFAULT_CACHE_DIR, extract  # noqa: E402

RELEASE = "15.2.0"
SDIST_CACHE = Path(os.environ.get("LEDGERFLOW_SDIST_CACHE") or DEFAULT_CACHE_DIR / "sdists")


def skip_or_fail(reason: str) -> None:
    """Skip on a machine without PyPI; CI has PyPI, so there it fails instead."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def real_sdist() -> Path:
    """xero-python 15.2.0's sdist, downloaded with pip into the cache on first use."""
    archive = SDIST_CACHE / f"xero_python-{RELEASE}.tar.gz"
    if not archive.is_file():
        SDIST_CACHE.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:"]
        done = subprocess.run(
            [*command, f"xero-python=={RELEASE}", "-d", str(SDIST_CACHE)], capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0 or not archive.is_file():
            skip_or_fail(f"could not download xero-python {RELEASE}'s sdist with pip: {done.stderr.strip()[-500:]}")
    return archive


@pytest.fixture(scope="session")
def real_release(real_sdist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The unpacked 15.2.0 sdist (its root folder)."""
    return extract(real_sdist, tmp_path_factory.mktemp("xero-python-release"))
