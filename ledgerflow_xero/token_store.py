"""``TokenStore``: an in-memory home for one token set, shaped for xero-python's getter and saver."""

from __future__ import annotations

import threading
from typing import Any, Dict, List


class TokenStore:
    """One token set shared by every thread of a client.

    Pass ``store.get`` as xero-python's ``oauth2_token_getter`` and ``store.save`` as its
    ``oauth2_token_saver``. ``saved`` keeps each token set saved since construction, in
    order (how tests and load runs check that a refresh was saved exactly once). Its repr
    names no token.
    """

    def __init__(self, token: Dict[str, Any]) -> None:
        self.token = dict(token)
        self.saved: List[Dict[str, Any]] = []
        self._lock = threading.Lock()

    def get(self) -> Dict[str, Any]:
        """The current token set (xero-python's token getter)."""
        with self._lock:
            return self.token

    def save(self, token: Dict[str, Any]) -> None:
        """Replace the token set and record the save (xero-python's token saver)."""
        with self._lock:
            self.token = dict(token)
            self.saved.append(dict(token))

    def __repr__(self) -> str:
        return f"TokenStore(keys={sorted(self.token)}, saves={len(self.saved)})"
