"""``SQLTokenStore``: a token set in a database row, shared by processes, refreshed once.

Worker processes (gunicorn, Celery, cron jobs) that act for one Ledgerflow connection must
share its token set: refresh tokens rotate, so two processes refreshing the same expired
set would leave one of them — and, if it saved last, everyone — with a retired token
(``invalid_grant``, and a customer who must sign in again). This store keeps the set in one
row per ``key`` and refreshes under that row's lock: ``SELECT ... FOR UPDATE`` on
PostgreSQL (and MySQL), ``BEGIN IMMEDIATE`` on SQLite. After taking the lock it reads the
row again and refreshes only if the set it sees is still the expired one; otherwise it
hands back the set another process saved. Each write is one ``UPDATE`` in a transaction,
so a reader sees the old set or the new one, never a mix.

Needs SQLAlchemy (``pip install "ledgerflow-xero[sql]"``) and the driver for the database.
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, Mapping

from .errors import InvalidTokenStoreError, MissingExtraError, TokenStoreError
from .token_store import is_superseded

try:
    import sqlalchemy as sa
    import sqlalchemy.event
    import sqlalchemy.exc
except ImportError as missing:  # pragma: no cover - depends on the installed extras
    raise MissingExtraError(
        f"SQLTokenStore needs SQLAlchemy: pip install 'ledgerflow-xero[sql]' ({missing})"
    ) from None

DEFAULT_TABLE = "ledgerflow_token_sets"
_immediate = threading.local()  # set while a store's transaction must take SQLite's write lock at BEGIN


def _cut(value: object, limit: int = 100) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class SQLTokenStore:
    """A token set in a SQL database, for every process and thread that acts for one connection.

    ``url`` is an SQLAlchemy database URL (``"postgresql+psycopg://..."``,
    ``"sqlite:///tokens.db"``) or an ``Engine``; ``key`` names the row (one per Ledgerflow
    connection, e.g. ``"tenant-42"``). ``token`` stores an initial set (after sign-in);
    without it the row must exist already. ``lock_timeout`` bounds the wait for another
    process's refresh, in seconds. The table (default ``ledgerflow_token_sets``) is created
    when missing.

    Use like :class:`~ledgerflow_xero.TokenStore`: ``oauth2_token_getter=store.get``,
    ``oauth2_token_saver=store.save``. Its repr names no token.
    """

    def __init__(
        self,
        url: Any,
        *,
        key: str,
        token: Mapping[str, Any] | None = None,
        table: str = DEFAULT_TABLE,
        lock_timeout: float = 30.0,
    ) -> None:
        if not isinstance(key, str) or not key or len(key) > 200:
            raise InvalidTokenStoreError(f"SQLTokenStore key={_cut(key)}: expected a non-empty str of at most 200 "
                                         "characters naming the connection, e.g. 'tenant-42'")
        if not isinstance(table, str) or not table.isidentifier():
            raise InvalidTokenStoreError(f"SQLTokenStore table={_cut(table)}: expected an SQL identifier")
        if isinstance(lock_timeout, bool) or not isinstance(lock_timeout, (int, float)) or not 0 < lock_timeout < 3600:
            raise InvalidTokenStoreError(f"SQLTokenStore lock_timeout={_cut(lock_timeout)}: expected seconds, 0-3600")
        if token is not None and not isinstance(token, Mapping):
            raise InvalidTokenStoreError(f"SQLTokenStore token: expected a mapping, not {type(token).__name__}")
        self.key = key
        self.lock_timeout = float(lock_timeout)
        self._url = url
        if isinstance(url, sa.engine.Engine):
            if url.dialect.name == "sqlite":
                raise InvalidTokenStoreError(
                    "SQLTokenStore on SQLite takes the URL, not an Engine: it needs its own engine to BEGIN IMMEDIATE"
                )
            self.engine = url
        elif isinstance(url, str):
            self.engine = _create_engine(url, self.lock_timeout)
        else:
            raise InvalidTokenStoreError(f"SQLTokenStore url={_cut(url)}: expected an SQLAlchemy URL string or Engine")
        self.dialect = self.engine.dialect.name
        metadata = sa.MetaData()
        self.table = sa.Table(
            table, metadata,
            sa.Column("key", sa.String(200), primary_key=True),
            sa.Column("token", sa.Text, nullable=False),
            sa.Column("version", sa.Integer, nullable=False),
        )
        metadata.create_all(self.engine, checkfirst=True)
        if token is not None:
            self.save(dict(token))

    # --- transactions ---------------------------------------------------------------------
    @contextmanager
    def _transaction(self, *, lock: bool) -> Iterator[Any]:
        """A transaction; with ``lock``, one that holds the write lock from its start on
        SQLite (BEGIN IMMEDIATE) and bounds lock waits on PostgreSQL."""
        _immediate.value = lock
        try:
            with self.engine.begin() as connection:
                if lock and self.dialect == "postgresql":
                    connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(self.lock_timeout * 1000)}ms'")
                yield connection
        except sqlalchemy.exc.OperationalError as error:
            raise TokenStoreError(
                f"token store {self.key!r} ({self.dialect}): {type(error.orig).__name__}: "
                f"{str(error.orig).splitlines()[0][:150] if error.orig else 'database error'}"
            ) from error
        finally:
            _immediate.value = False

    def _read(self, connection: Any, *, for_update: bool) -> Dict[str, Any]:
        query = sa.select(self.table.c.token).where(self.table.c.key == self.key)
        if for_update:
            query = query.with_for_update()
        text = connection.execute(query).scalar()
        if text is None:
            raise TokenStoreError(f"token store {self.key!r} holds no token set: pass token= once, after sign-in")
        value = json.loads(text)
        return value if isinstance(value, dict) else {}

    def _write(self, connection: Any, token: Mapping[str, Any]) -> None:
        text = json.dumps(dict(token), sort_keys=True)
        table = self.table
        changed = connection.execute(
            table.update().where(table.c.key == self.key, table.c.token != text)
            .values(token=text, version=table.c.version + 1)
        ).rowcount
        if changed == 0:
            exists = connection.execute(sa.select(table.c.version).where(table.c.key == self.key)).first()
            if exists is None:
                connection.execute(table.insert().values(key=self.key, token=text, version=1))

    # --- the TokenStore protocol ----------------------------------------------------------
    def get(self) -> Dict[str, Any]:
        """The stored token set (xero-python's token getter)."""
        with self._transaction(lock=False) as connection:
            return self._read(connection, for_update=False)

    def save(self, token: Mapping[str, Any]) -> None:
        """Replace the stored set in one atomic write (xero-python's token saver); saving the
        set already stored writes nothing."""
        if not isinstance(token, Mapping):
            raise InvalidTokenStoreError(f"a token set must be a mapping, not {type(token).__name__}")
        with self._transaction(lock=True) as connection:
            self._write(connection, token)

    def refresh_once(self, stale: Mapping[str, Any], refresh: Callable[[str], Dict[str, Any]]) -> Dict[str, Any]:
        """Under the row lock: the set another process saved if ``stale`` was refreshed
        already, else ``refresh(refresh_token)``'s result, saved before the lock is released.
        A failed refresh writes nothing."""
        with self._transaction(lock=True) as connection:
            current = self._read(connection, for_update=True)
            if is_superseded(current, stale):
                return current
            new = refresh(current.get("refresh_token") or stale["refresh_token"])
            self._write(connection, new)
            return new

    @property
    def version(self) -> int:
        """How many distinct token sets this row has held (1 after the first save)."""
        with self._transaction(lock=False) as connection:
            value = connection.execute(sa.select(self.table.c.version).where(self.table.c.key == self.key)).scalar()
        return int(value or 0)

    def __repr__(self) -> str:
        return f"SQLTokenStore(dialect={self.dialect!r}, table={self.table.name!r}, key={self.key!r})"

    def __reduce__(self) -> Any:
        if not isinstance(self._url, str):
            raise TypeError("an SQLTokenStore built on an Engine cannot be pickled; build it from a URL string")
        return (_rebuild, (self._url, self.key, self.table.name, self.lock_timeout))


def _rebuild(url: str, key: str, table: str, lock_timeout: float) -> SQLTokenStore:
    return SQLTokenStore(url, key=key, table=table, lock_timeout=lock_timeout)


def _create_engine(url: str, lock_timeout: float) -> Any:
    try:
        parsed = sa.engine.make_url(url)
    except sqlalchemy.exc.ArgumentError:
        raise InvalidTokenStoreError(f"SQLTokenStore url: not an SQLAlchemy database URL: {_cut(url.split('@')[-1])}")\
            from None
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    # pysqlite opens transactions itself, late and deferred; take that over so a refresh
    # can BEGIN IMMEDIATE (SQLAlchemy's documented recipe), and wait lock_timeout for locks.
    engine = sa.create_engine(url, connect_args={"timeout": lock_timeout, "check_same_thread": False})

    @sqlalchemy.event.listens_for(engine, "connect")
    def _autocommit_driver(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None

    @sqlalchemy.event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if getattr(_immediate, "value", False) else "BEGIN")

    return engine
