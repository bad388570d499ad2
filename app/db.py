"""Engines and sessions: SQLite with the pragmas it needs, or PostgreSQL via psycopg 3."""

import asyncio
import logging
import math
import sqlite3
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import QueuePool
from sqlmodel import Session

from app.config import get_settings

log = logging.getLogger(__name__)

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


def writer_queue(state: Any) -> asyncio.Lock:
    """The queue, on the running event loop, for the app's one SQLite write connection
    (`state` is the app's, holding `writer_locks`). Everything the server writes to SQLite
    takes its turn here, on the event loop rather than in worker threads, which the write
    holding the connection may need to finish; so a write's turn always finds the
    connection free."""
    locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
        state.writer_locks)
    loop = asyncio.get_running_loop()
    lock = locks.get(loop)
    if lock is None:
        lock = locks[loop] = asyncio.Lock()
    return lock


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


# An execution option for a SQLite session's connection: begin without the busy timeout,
# failing at once when another connection holds the write lock (deps.py).
NO_WAIT = "policy_ledger_no_wait"


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
        if writer and engine in _QUIET:
            cur.execute("PRAGMA wal_autocheckpoint=0")
        cur.close()
        _ensure_math_functions(dbapi_conn)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # On the driver's connection: these statements need none of SQLAlchemy's
        # execution machinery, which would cost more than SQLite takes to run them.
        driver = conn.connection.driver_connection
        no_wait = conn.get_execution_options().get(NO_WAIT)
        try:
            if not no_wait:
                driver.execute(begin_sql)
                return
            # Take the lock now or fail at once ("database is locked"), not after waiting.
            driver.execute("PRAGMA busy_timeout=0")
            try:
                driver.execute(begin_sql)
            finally:
                driver.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        except sqlite3.OperationalError as exc:  # as SQLAlchemy would have raised it
            raise OperationalError(begin_sql, (), exc) from exc

    return engine


class Checkpoints:
    """SQLite's WAL checkpoints in a background thread, instead of in a committing write.

    By default the commit that takes the write-ahead log past 1,000 pages copies it into
    the database file: a write that takes tens of ms, on the event loop, while every
    queued write waits. While this runs, the write connection never checkpoints, and a
    thread runs a PASSIVE checkpoint (it never waits for, or blocks, readers and
    writers) every `interval_s` on a reader connection. Stopping hands the job back to
    SQLite. A no-op on PostgreSQL, or with an interval of 0.
    """

    def __init__(self, engines: Engines, interval_s: float) -> None:
        self.engines, self.interval_s = engines, interval_s
        self.active = interval_s > 0 and engines.write.dialect.name == "sqlite"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if not self.active:
            return
        with _QUIET_LOCK:
            writer = self.engines.write
            _QUIET[writer] = _QUIET.get(writer, 0) + 1
            _set_autocheckpoint(writer, 0)
        self._thread = threading.Thread(target=self._run, name="wal-checkpoints",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        with _QUIET_LOCK:
            writer = self.engines.write
            _QUIET[writer] -= 1
            if not _QUIET[writer]:
                del _QUIET[writer]
                try:
                    _set_autocheckpoint(writer, SQLITE_AUTOCHECKPOINT)
                except Exception:  # pragma: no cover - closing the connection checkpoints
                    log.warning("could not restore SQLite's auto-checkpoint", exc_info=True)
        self.checkpoint()

    def checkpoint(self) -> tuple[int, int, int] | None:
        """One PASSIVE checkpoint: (busy, frames in the log, frames copied), or None when
        it failed (logged)."""
        try:
            conn = self.engines.read.raw_connection()
            try:
                row = conn.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            finally:
                conn.close()
        except Exception:  # pragma: no cover - the next round tries again
            log.warning("WAL checkpoint failed", exc_info=True)
            return None
        return tuple(row) if row else None  # type: ignore[return-value]

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.checkpoint()


# Write engines whose connections leave checkpoints to a `Checkpoints` thread (with how
# many run on each: apps in one process can share engines).
_QUIET: "weakref.WeakKeyDictionary[Engine, int]" = weakref.WeakKeyDictionary()
_QUIET_LOCK = threading.Lock()
SQLITE_AUTOCHECKPOINT = 1000  # SQLite's default threshold, in pages


def _set_autocheckpoint(engine: Engine, pages: int) -> None:
    """Set the pooled connection's (the writer has one) auto-checkpoint threshold."""
    conn = engine.raw_connection()
    try:
        conn.cursor().execute(f"PRAGMA wal_autocheckpoint={int(pages)}")
    finally:
        conn.close()


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
