"""Argument checks shared by the public entry points: typed errors naming the argument,
values shown cut to ~100 characters."""

from __future__ import annotations

from typing import Any

from .errors import InvalidArgumentError, InvalidSourceError
from .sources import Source


def shown(value: object, limit: int = 100) -> str:
    """``repr(value)`` cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_bool(name: str, value: Any) -> bool:
    """``value`` when it is a bool; else :class:`InvalidArgumentError` (``"false"`` is not False)."""
    if not isinstance(value, bool):
        raise InvalidArgumentError(f"{name}={shown(value)}: expected True or False, not {type(value).__name__}")
    return value


def check_source_type(value: Any) -> Any:
    """``value`` when it is a :class:`Source`, int or str (what ``parse_source`` reads); else
    :class:`InvalidSourceError` — before a list or dict reaches a cache and fails unhashable."""
    if isinstance(value, bool) or not isinstance(value, (Source, int, str)):
        raise InvalidSourceError(
            f"source={shown(value)}: expected 1001, 1004, 1009, a Source, or a name such as 'quickbooks', "
            f"not a {type(value).__name__}"
        )
    return value
