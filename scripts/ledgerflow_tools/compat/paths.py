"""Where the compatibility runner keeps things: its cache, this checkout, the shared data."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import ledgerflow_xero

from .. import CHECKOUT_ROOT

CACHE_ENV = "LEDGERFLOW_XERO_CACHE"
PACKAGE_DIR = Path(ledgerflow_xero.__file__).resolve().parent
"""The ``ledgerflow_xero`` package the tooling runs against (the checkout's, when installed editable)."""


def cache_dir() -> Path:
    """``$LEDGERFLOW_XERO_CACHE``, else ``$XDG_CACHE_HOME/ledgerflow-xero``, else ``~/.cache/ledgerflow-xero``."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ledgerflow-xero"


def checkout_root() -> Path | None:
    """The source checkout this tooling belongs to, or None if its files were copied elsewhere."""
    root = CHECKOUT_ROOT
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and 'name = "ledgerflow-xero"' in pyproject.read_text(encoding="utf-8"):
        return root
    return None


def shared_dir() -> Path | None:
    """The project's shared data folder (``../shared`` beside the checkout, or beside the
    working directory for an installed package), when present."""
    candidates = []
    root = checkout_root()
    if root is not None:
        candidates.append(root.parent / "shared")
    candidates.append(Path.cwd().parent / "shared")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return None


def sha256_of(path: Path) -> str:
    """The file's SHA-256 (hex): the key every cache of a release uses."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for chunk in iter(lambda: source.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()
