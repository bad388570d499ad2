"""Engines and sessions: SQLite with the pragmas it needs, or PostgreSQL via psycopg 3."""

import math
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool
from sqlmodel import Session

from app.config import get_settings

# The most connections one process can want at once: every thread of the pool that runs
# sync routes (anyio's default limit is 40), the event loop, and headroom. Reader pools
# (and PostgreSQL's) may grow to this many, so a thread never waits for a connection held
# by a request that itself waits for a thread: that wait would deadlock until
# pool_timeout. SQLite's single writer is queued on the event loop instead (deps.py).
MAX_CONNECTIONS = 48


@dataclass(frozen=True)
class Engines:
    """A reader engine and a writer engine (the same one on PostgreSQL), and on SQLite a
    reader for the event loop."""

    read: Engine
    write: Engine
    loop_read: Engine | None = None

    @property
    def loop(self) -> Engine:
        """The engine for reads done on the event loop, each one synchronous from
        checkout to return (the fast path's, the key lookup on SQLite). On SQLite it has
        a pool of its own: the readers' pool can be taken up by requests that hold a
        connection until their response is sent, and the event loop waiting for one of
        those would wait for itself."""
        return self.loop_read or self.read

    def dispose(self) -> None:
        for engine in {id(e): e for e in (self.read, self.write, self.loop_read) if e}.values():
            engine.dispose()


def fetch_raw(engine: Engine, sql: str, params: Any) -> tuple[Sequence[Any], Any]:
    """Run one statement on a pooled connection's DBAPI cursor, past SQLAlchemy's
    execution layer (for hot reads whose SQL is prepared once): the rows, as the driver
    returns them, and the cursor's description."""
    conn = engine.raw_connection()
    try:
        cur = conn.cursor()
        cur.execute(sql, params)
        rows = cur.fetchall()
        description = cur.description
        cur.close()
    finally:
        conn.close()
    return rows, description


@lru_cache(maxsize=64)
def _marks(sql: str, paramstyle: str) -> str:
    return sql if paramstyle == "qmark" else sql.replace("?", "%s")


def run_raw(connection: Connection, sql: str, params: Any = (), *,
            many: bool = False) -> list[Any]:
    """Run one statement, written with `?` marks, on the DBAPI cursor of a connection in
    a transaction (a write's, whose ORM changes are flushed), past SQLAlchemy's execution
    layer: for hot statements of the write path whose SQL is fixed. Returns the rows as
    the driver gives them (none for `many`, which runs `executemany`)."""
    cur = connection.connection.cursor()
    try:
        sql = _marks(sql, connection.dialect.paramstyle)
        if many:
            cur.executemany(sql, params)
            return []
        cur.execute(sql, params)
        return list(cur.fetchall()) if cur.description else []
    finally:
        cur.close()


def _ensure_math_functions(dbapi_conn: Any) -> None:
    """Scores need ln() and floor(); older SQLite builds lack the math functions."""
    try:
        dbapi_conn.execute("SELECT ln(1), floor(1.5)")
    except sqlite3.OperationalError:
        dbapi_conn.create_function("ln", 1, math.log, deterministic=True)
        dbapi_conn.create_function("floor", 1, math.floor, deterministic=True)


def _sqlite_engine(url: str, *, writer: bool, pool_size: int, busy_ms: int,
                   max_overflow: int | None = None) -> Engine:
    """A SQLite engine with WAL, foreign keys, busy timeout and explicit BEGINs.

    The writer engine holds one connection and begins IMMEDIATE, so writes queue in
    the pool instead of fighting over SQLite's lock and failing with "database is
    locked" when a deferred transaction tries to upgrade.
    """
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False},
        poolclass=QueuePool,
        pool_size=1 if writer else pool_size,
        max_overflow=0 if writer else (max(0, MAX_CONNECTIONS - pool_size)
                                       if max_overflow is None else max_overflow),
        pool_timeout=max(busy_ms / 1000, 1),
        # The most recently used connection first: its page cache holds what the last
        # requests read (first in, first out spreads them over every cache).
        pool_use_lifo=True,
    )
    begin_sql = "BEGIN IMMEDIATE" if writer else "BEGIN"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()
        _ensure_math_functions(dbapi_conn)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin_sql)

    return engine


def ensure_sqlite_directory(url: str) -> None:
    """Create the folder a SQLite database file lives in (e.g. ./data)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)  # type: ignore[arg-type]


def build_engines(url: str) -> Engines:
    """Engines for a database URL."""
    settings = get_settings()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        ensure_sqlite_directory(url)
        opts = {"pool_size": settings.db_pool_size, "busy_ms": settings.sqlite_busy_timeout_ms}
        return Engines(
            read=_sqlite_engine(url, writer=False, **opts),
            write=_sqlite_engine(url, writer=True, **opts),
            # One connection does: every use returns it before the loop moves on (the
            # overflow only covers a use that a bug left open).
            loop_read=_sqlite_engine(url, writer=False, pool_size=1, max_overflow=2,
                                     busy_ms=settings.sqlite_busy_timeout_ms),
        )
    engine = create_engine(url, pool_pre_ping=True, pool_size=settings.db_pool_size,
                           max_overflow=max(0, MAX_CONNECTIONS - settings.db_pool_size))
    return Engines(read=engine, write=engine)


@lru_cache
def get_engines() -> Engines:
    """The process-wide engines for the configured DATABASE_URL."""
    return build_engines(get_settings().database_url)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error (CLI boundary)."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
