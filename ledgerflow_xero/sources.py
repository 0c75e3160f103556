"""The source accounting systems Ledgerflow reads, and parsing of the ways users name them."""

# pyright: reportUnnecessaryIsInstance=false
# (public entry points check argument types at run time: their callers are often untyped)

from __future__ import annotations

import enum
from typing import Union

from .errors import InvalidSourceError


class Source(enum.IntEnum):
    """A source accounting system, by the id Ledgerflow puts in the URL path."""

    SAGE_DESKTOP_UK = 1001
    QUICKBOOKS_ONLINE = 1004
    SAGE_ACCOUNTING = 1009

    def __str__(self) -> str:
        return str(self.value)


SourceLike = Union[Source, int, str]

_ALIASES = {
    "sage-desktop-uk": Source.SAGE_DESKTOP_UK,
    "sage-desktop": Source.SAGE_DESKTOP_UK,
    "sage-50": Source.SAGE_DESKTOP_UK,
    "sage50": Source.SAGE_DESKTOP_UK,
    "sgd": Source.SAGE_DESKTOP_UK,
    "quickbooks-online": Source.QUICKBOOKS_ONLINE,
    "quickbooks": Source.QUICKBOOKS_ONLINE,
    "qbo": Source.QUICKBOOKS_ONLINE,
    "sage-accounting": Source.SAGE_ACCOUNTING,
    "sage-business-cloud-accounting": Source.SAGE_ACCOUNTING,
    "sage-business-cloud": Source.SAGE_ACCOUNTING,
    "sage-cloud": Source.SAGE_ACCOUNTING,
    "sbca": Source.SAGE_ACCOUNTING,
    "sgo": Source.SAGE_ACCOUNTING,
}

# Largest id accepted with allow_unknown: Ledgerflow's ids are four digits so far.
_MAX_SOURCE_ID = 999_999_999


def accepted_source_forms() -> str:
    """A human-readable list of what :func:`parse_source` accepts, for error messages."""
    ids = ", ".join(f"{s.value} ({s.name})" for s in Source)
    aliases = ", ".join(sorted(_ALIASES))
    return f"one of the ids {ids}, or a name: {aliases} (case-insensitive)"


def _refuse(value: object, why: str = "") -> InvalidSourceError:
    detail = f" ({why})" if why else ""
    text = repr(value)
    shown = text if len(text) <= 100 else text[:97] + "..."
    return InvalidSourceError(f"unknown Ledgerflow source {shown}{detail}; expected {accepted_source_forms()}")


def parse_source(value: SourceLike, *, allow_unknown: bool = False) -> int:
    """Return the source id for ``value``: a :class:`Source`, an int, a numeric string or a name.

    Known ids come back as :class:`Source` members. Other positive integer ids, which
    Ledgerflow may add later, are returned as plain ints only with ``allow_unknown=True``.
    Anything else raises :class:`InvalidSourceError` naming the value and the accepted forms.
    """
    if isinstance(value, Source):
        return value
    if isinstance(value, bool):
        raise _refuse(value, "a bool is not a source id")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        if value.isascii() and value.isdigit():
            if len(value) > 1 and value.startswith("0"):
                raise _refuse(value, "leading zeros are ambiguous")
            if len(value) > len(str(_MAX_SOURCE_ID)):
                raise _refuse(value, f"{len(value)} digits; source ids have at most {len(str(_MAX_SOURCE_ID))}")
            number = int(value)
        else:
            alias = _ALIASES.get(value.lower().replace("_", "-"))
            if alias is None:
                raise _refuse(value)
            return alias
    else:
        raise _refuse(value, f"a {type(value).__name__} is not a source id")
    try:
        return Source(number)
    except ValueError:
        pass
    if allow_unknown and 0 < number <= _MAX_SOURCE_ID:
        return number
    if allow_unknown:
        raise _refuse(value, "source ids are positive integers")
    raise _refuse(value, "pass allow_unknown_source=True to use an id Ledgerflow added later")
