"""The overall deadline of a request, and the transport rules of a routed client's pool.

urllib3's timeouts bound each socket operation; a server sending a byte every few seconds
never trips them. :func:`within_deadline` shuts the connections a call takes when its time is
up (one watchdog thread serves every request), so the call fails with
:class:`DeadlineExceeded` instead of hanging. :func:`prepare_pool` gives a pool manager the
rules this needs: connections the deadline can reach, the request's (connect, read) timeouts
when the caller gives none, and no urllib3 retries (a read that timed out would be sent again,
stretching the caller's timeout, and a ``Retry-After`` would be slept out however long).

Only the standard library and urllib3 here, so every module that sends may use it.
"""

from __future__ import annotations

import functools
import socket
import threading
import time
from typing import Any, Callable, Dict, List, Set, Tuple, TypeVar

import urllib3
from urllib3.util.retry import Retry

# urllib3 must neither retry (a read that timed out would be sent again, stretching the
# caller's timeout) nor sleep out Retry-After; redirects are still followed (the guard
# checks each one).
NO_RETRIES = Retry(total=None, connect=0, read=0, status=0, other=0, redirect=5, respect_retry_after_header=False)


@functools.lru_cache(maxsize=64)
def urllib3_timeout(connect: float, read: float) -> urllib3.Timeout:
    """The urllib3 ``Timeout`` for a (connect, read) pair, built once (it is immutable in use)."""
    return urllib3.Timeout(connect=connect, read=read)


class _Deadline:
    """One call's time limits: the moment its connections are shut, and the urllib3 timeout
    its connection pools use when the request names none."""

    __slots__ = ("at", "seconds", "timeout", "connections", "expired")

    def __init__(self, seconds: float, timeout: urllib3.Timeout | None) -> None:
        self.seconds = seconds
        self.timeout = timeout
        self.at = time.monotonic() + seconds
        self.connections: List[Any] = []
        self.expired = False


def _shut(connection: Any) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _Watchdog:
    """Expires running calls past their deadline. Starting and finishing a call is a set add
    and discard (atomic operations: the common case, a call that finishes in time, takes no
    lock); one daemon thread looks at the running calls every :attr:`TICK` seconds, shuts the
    connections of those past due, and stops when idle.

    The thread claims a call (removes it from the running set) before shutting its
    connections, so a call that finished first is left alone; one that finishes during the
    shutting may have a connection shut on its way back to the pool."""

    TICK = 0.1
    IDLE = 30.0

    def __init__(self) -> None:
        self.running: Set[_Deadline] = set()
        self._lock = threading.Lock()  # guards starting and stopping the thread
        self.thread_alive = False

    def start_thread(self) -> None:
        with self._lock:
            if not self.thread_alive:
                self.thread_alive = True
                threading.Thread(target=self._run, name="ledgerflow-deadlines", daemon=True).start()

    def _run(self) -> None:
        idle_since = time.monotonic()
        while True:
            time.sleep(self.TICK)
            now = time.monotonic()
            due = [deadline for deadline in list(self.running) if deadline.at <= now]
            for deadline in due:
                try:
                    self.running.remove(deadline)  # claimed here, or finished meanwhile: then leave it be
                except KeyError:
                    continue
                deadline.expired = True
                for connection in list(deadline.connections):
                    _shut(connection)
            if self.running or due:
                idle_since = now
            elif now - idle_since > self.IDLE:
                with self._lock:
                    self.thread_alive = False
                    if not self.running:
                        return
                    self.thread_alive = True  # a call arrived as the thread was stopping


class _Current(threading.local):
    deadline: _Deadline | None = None


_watchdog = _Watchdog()
_current = _Current()


class _DeadlinePoolMixin:
    """A connection pool whose requests carry the running call's deadline: each connection
    taken is shut when it passes, and a request without a timeout of its own (xero-python
    passes ``timeout=None`` unless asked) gets the call's (connect, read) timeouts."""

    def _get_timeout(self, timeout: Any) -> Any:
        if timeout is None:
            deadline = _current.deadline
            if deadline is not None and deadline.timeout is not None:
                timeout = deadline.timeout
        return super()._get_timeout(timeout)  # type: ignore[misc]

    def _get_conn(self, timeout: float | None = None) -> Any:
        connection = super()._get_conn(timeout)  # type: ignore[misc]
        deadline = _current.deadline
        if deadline is not None:
            deadline.connections.append(connection)
            if deadline.expired:
                _shut(connection)
        return connection


_DEADLINE_CLASSES: Dict[type, type] = {}


def _with_deadlines(pool_class: type) -> type:
    """``pool_class`` with the deadline rules mixed in (built once per class)."""
    if issubclass(pool_class, _DeadlinePoolMixin):
        return pool_class
    made = _DEADLINE_CLASSES.get(pool_class)
    if made is None:
        made = _DEADLINE_CLASSES[pool_class] = type(pool_class.__name__, (_DeadlinePoolMixin, pool_class), {})
    return made


PREPARED_MARK = "_ledgerflow_transport"
_prepare_lock = threading.Lock()


def prepare_pool(pool_manager: Any) -> None:
    """Give a client's urllib3 pool manager this module's transport rules: no urllib3 retries
    (nor Retry-After sleeps), and connection pools that apply the running call's deadline and
    timeouts. Idempotent; ``PREPARED_MARK in vars(pool_manager)`` once done."""
    if PREPARED_MARK in vars(pool_manager) or not isinstance(pool_manager, urllib3.PoolManager):
        return  # done already, or a stand-in (tests, benchmarks) that has its own rules
    with _prepare_lock:  # two threads sending a client's first requests at once prepare it once
        if PREPARED_MARK in vars(pool_manager):
            return
        original = (dict(pool_manager.connection_pool_kw), vars(pool_manager).get("pool_classes_by_scheme"))
        pool_manager.connection_pool_kw["retries"] = NO_RETRIES
        pool_manager.pool_classes_by_scheme = {
            scheme: _with_deadlines(pool_class) for scheme, pool_class in pool_manager.pool_classes_by_scheme.items()
        }
        pool_manager.clear()  # pools built before this point lack both
        setattr(pool_manager, PREPARED_MARK, original)


def unprepare_pool(pool_manager: Any) -> None:
    """Undo :func:`prepare_pool` (``unpatch()`` gives plain xero-python clients back as they were)."""
    with _prepare_lock:
        original = vars(pool_manager).pop(PREPARED_MARK, None)
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


def within_deadline(seconds: float, timeouts: Tuple[float, float] | None, call: Callable[[], _T]) -> _T:
    """``call()``, with every connection it takes from a prepared pool (:func:`prepare_pool`)
    shut when ``seconds`` pass: then :class:`DeadlineExceeded` (a urllib3 ``TimeoutError``).
    Its requests that name no timeout get ``timeouts`` (connect, read), when given."""
    deadline = _Deadline(seconds, urllib3_timeout(*timeouts) if timeouts else None)
    previous = _current.deadline
    _current.deadline = deadline
    _watchdog.running.add(deadline)
    if not _watchdog.thread_alive:
        _watchdog.start_thread()
    try:
        return call()
    except urllib3.exceptions.HTTPError as error:
        if deadline.expired:
            raise DeadlineExceeded(seconds) from error
        raise
    finally:
        _watchdog.running.discard(deadline)
        _current.deadline = previous


class DeadlineExceeded(urllib3.exceptions.TimeoutError):
    """Internal: the overall deadline passed (turned into a TransportError/TokenRefreshError)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within the overall deadline of {seconds:g} s")
        self.seconds = seconds
