"""The two ways the books engine refuses a request; :meth:`Books.answer` turns them into Xero's bodies."""

from __future__ import annotations


class BadRequest(ValueError):
    """A parameter, header or ``where`` clause the engine does not accept: Xero's 400 ValidationException."""


class NotFound(LookupError):
    """No such record or report in this organisation: a 404 problem body."""
