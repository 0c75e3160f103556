"""A release's Python files, for the inventory and the static checks.

Each check's per-file work is a pure function of (path in the release, file text), memoised on
exactly that, so files a release did not change are not parsed again (vetting several releases,
or synthetic variants of one, in one process reads ~600 files each time but parses only the
changed ones). A ``SyntaxError`` names the file relative to the release root.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator, Tuple, TypeVar

T = TypeVar("T")


def python_texts(release_root: Path, package: str = "xero_python") -> Iterator[Tuple[str, str]]:
    """(path relative to the release root, text) for every ``.py`` file of the package, in order."""
    for path in sorted((release_root / package).rglob("*.py")):
        yield path.relative_to(release_root).as_posix(), path.read_text(encoding="utf-8")


def per_file(function: Callable[[str, ast.Module], T]) -> Callable[[str, str], T]:
    """``function(relative_path, tree)`` as a memoised ``(relative_path, text)`` function."""

    @lru_cache(maxsize=8192)
    def run(relative: str, text: str) -> T:
        return function(relative, ast.parse(text, filename=relative))

    return run


def parse(path: Path, relative: str) -> ast.Module:
    """One file parsed, its ``SyntaxError`` naming ``relative``."""
    return ast.parse(path.read_text(encoding="utf-8"), filename=relative)
