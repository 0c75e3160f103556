"""The sandbox's books engine: one consistent double-entry company per source, answering Xero's reads.

``build_books(source, seed=, scale=)`` generates a company's books (deterministic per its
arguments); :meth:`Books.answer` turns one served accounting operation (by the spec's
operationId) into the JSON Xero's spec describes, computing reports from the journals.
"""

from __future__ import annotations

from .engine import OPERATIONS, Books, build_books, build_demo_books

__all__ = ["OPERATIONS", "Books", "build_books", "build_demo_books"]
