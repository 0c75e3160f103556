"""The overall deadline of a request, and the transport rules of a routed client's pool.

urllib3's timeouts bound each socket operation; a server sending a byte every few seconds
never trips them. :func:`within_deadline` shuts the connections a call takes when its time is
up (one watchdog thread serves every request), so the call fails with
:class:`DeadlineExceeded` instead of hanging. :func:`prepare_pool` gives a pool manager the
rules this needs: connections the deadline can reach, and no urllib3 retries (a read that
timed out would be sent again, stretching the caller's timeout, and a ``Retry-After`` would
be slept out however long).

Only the standard library and urllib3 here, so every module that sends may use it.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, Callable, Dict, List, Set, TypeVar

import urllib3
from urllib3.util.retry import Retry

# urllib3 must neither retry (a read that timed out would be sent again, stretching the
# caller's timeout) nor sleep out Retry-After; redirects are still followed (the guard
# checks each one).
NO_RETRIES = Retry(total=None, connect=0, read=0, status=0, other=0, redirect=5, respect_retry_after_header=False)


class _Deadline:
    __slots__ = ("at", "seconds", "connections", "finished", "expired", "lock")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.connections: List[Any] = []
        self.finished = False
        self.expired = False
        self.lock = threading.Lock()

    def watch(self, connection: Any) -> None:
        with self.lock:
            self.connections.append(connection)
            expired = self.expired
        if expired:
            _shut(connection)

    def expire(self) -> None:
        with self.lock:
            if self.finished:
                return
            self.expired = True
            connections = list(self.connections)
        for connection in connections:
            _shut(connection)

    def finish(self) -> None:
        with self.lock:
            self.finished = True


def _shut(connection: Any) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _Watchdog:
    """Expires running requests past their deadline. Registering and finishing a request
    are a set add and discard (the common case: it finishes in time); one daemon thread
    looks at the running ones every :attr:`TICK` seconds, and stops when idle."""

    TICK = 0.1
    IDLE = 30.0

    def __init__(self) -> None:
        self._running: Set[_Deadline] = set()
        self._lock = threading.Lock()
        self._thread_alive = False

    def add(self, deadline: _Deadline) -> None:
        with self._lock:
            self._running.add(deadline)
            if not self._thread_alive:
                self._thread_alive = True
                threading.Thread(target=self._run, name="ledgerflow-deadlines", daemon=True).start()

    def discard(self, deadline: _Deadline) -> None:
        with self._lock:
            self._running.discard(deadline)

    def _run(self) -> None:
        idle_since = time.monotonic()
        while True:
            time.sleep(self.TICK)
            now = time.monotonic()
            with self._lock:
                due = [deadline for deadline in self._running if deadline.at <= now]
                for deadline in due:
                    self._running.discard(deadline)
                if self._running or due:
                    idle_since = now
                elif now - idle_since > self.IDLE:
                    self._thread_alive = False
                    return
            for deadline in due:
                deadline.expire()


_watchdog = _Watchdog()
_current = threading.local()


class _DeadlinePoolMixin:
    """Registers each connection a request takes with the request's deadline."""

    def _get_conn(self, timeout: float | None = None) -> Any:
        connection = super()._get_conn(timeout)  # type: ignore[misc]
        deadline: _Deadline | None = getattr(_current, "deadline", None)
        if deadline is not None:
            deadline.watch(connection)
        return connection


_DEADLINE_CLASSES: Dict[type, type] = {}


def _with_deadlines(pool_class: type) -> type:
    """``pool_class`` with the deadline registration mixed in (built once per class)."""
    if issubclass(pool_class, _DeadlinePoolMixin):
        return pool_class
    made = _DEADLINE_CLASSES.get(pool_class)
    if made is None:
        made = _DEADLINE_CLASSES[pool_class] = type(pool_class.__name__, (_DeadlinePoolMixin, pool_class), {})
    return made


_PREPARED_MARK = "_ledgerflow_transport"
_prepare_lock = threading.Lock()


def prepare_pool(pool_manager: Any) -> None:
    """Give a client's urllib3 pool manager this module's transport rules: no urllib3 retries
    (nor Retry-After sleeps), and connections the overall deadline can shut. Idempotent."""
    if vars(pool_manager).get(_PREPARED_MARK) or not isinstance(pool_manager, urllib3.PoolManager):
        return  # done already, or a stand-in (tests, benchmarks) that has its own rules
    with _prepare_lock:  # two threads sending a client's first requests at once prepare it once
        if vars(pool_manager).get(_PREPARED_MARK):
            return
        original = (dict(pool_manager.connection_pool_kw), vars(pool_manager).get("pool_classes_by_scheme"))
        pool_manager.connection_pool_kw["retries"] = NO_RETRIES
        pool_manager.pool_classes_by_scheme = {
            scheme: _with_deadlines(pool_class) for scheme, pool_class in pool_manager.pool_classes_by_scheme.items()
        }
        pool_manager.clear()  # pools built before this point lack both
        setattr(pool_manager, _PREPARED_MARK, original)


def unprepare_pool(pool_manager: Any) -> None:
    """Undo :func:`prepare_pool` (``unpatch()`` gives plain xero-python clients back as they were)."""
    with _prepare_lock:
        original = vars(pool_manager).pop(_PREPARED_MARK, None)
        if original is None:
            return
        connection_pool_kw, pool_classes = original
        pool_manager.connection_pool_kw = connection_pool_kw
        if pool_classes is None:
            vars(pool_manager).pop("pool_classes_by_scheme", None)
        else:
            pool_manager.pool_classes_by_scheme = pool_classes
        pool_manager.clear()


_T = TypeVar("_T")


def within_deadline(seconds: float, call: Callable[[], _T]) -> _T:
    """``call()``, with every connection it takes from a prepared pool (:func:`prepare_pool`)
    shut when ``seconds`` pass: then :class:`DeadlineExceeded` (a urllib3 ``TimeoutError``)."""
    deadline = _Deadline(seconds)
    previous = getattr(_current, "deadline", None)
    _current.deadline = deadline
    _watchdog.add(deadline)
    try:
        return call()
    except urllib3.exceptions.HTTPError as error:
        if deadline.expired:
            raise DeadlineExceeded(seconds) from error
        raise
    finally:
        deadline.finish()
        _watchdog.discard(deadline)
        _current.deadline = previous


class DeadlineExceeded(urllib3.exceptions.TimeoutError):
    """Internal: the overall deadline passed (turned into a TransportError/TokenRefreshError)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within the overall deadline of {seconds:g} s")
        self.seconds = seconds
