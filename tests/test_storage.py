"""Storage: SQLite pragmas, IMMEDIATE writers, aware UTC datetimes, status rule in SQL."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlmodel import Session

from app.claims.status import derive_status, status_filter
from app.db import Engines, session_scope
from app.models import Prediction, Topic


@pytest.fixture
def sqlite_only(engines: Engines) -> Engines:
    if engines.read.dialect.name != "sqlite":
        pytest.skip("SQLite-specific behaviour")
    return engines


def test_sqlite_connections_have_wal_foreign_keys_and_busy_timeout(sqlite_only: Engines) -> None:
    with sqlite_only.read.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_sqlite_writer_holds_the_write_lock_from_begin(sqlite_only: Engines) -> None:
    with Session(sqlite_only.write) as writer:
        writer.execute(text("SELECT 1"))  # BEGIN IMMEDIATE has run: the lock is ours
        raw = sqlite_only.read.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA busy_timeout=0")  # type: ignore[union-attr]
            with pytest.raises(Exception, match="locked"):
                raw.driver_connection.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
        finally:
            raw.close()


def test_datetimes_read_back_aware_in_utc(engines: Engines) -> None:
    seoul = datetime(2025, 9, 4, 3, 0, tzinfo=ZoneInfo("Asia/Seoul"))
    with session_scope(engines.write) as session:
        session.add(Topic(slug="t", name="T", created_at=seoul))
    with Session(engines.read) as session:
        stored = session.scalars(select(Topic.created_at)).one()
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == seoul


def test_naive_datetimes_are_refused(engines: Engines) -> None:
    with pytest.raises(Exception, match="naive"), session_scope(engines.write) as session:
        session.add(Topic(slug="t", name="T", created_at=datetime(2025, 1, 1)))


@pytest.mark.parametrize(
    ("outcome", "condition_status", "resolve_by"),
    [
        (None, None, None), (None, None, date(2000, 1, 1)), (None, None, date(2999, 1, 1)),
        ("true", None, None), ("false", "met", date(2000, 1, 1)), ("annulled", None, None),
        (None, "not_met", date(2000, 1, 1)), ("true", "not_met", None), (None, "pending", None),
    ],
)
def test_status_rule_is_the_same_in_python_and_sql(
    seeded: Engines, outcome: str | None, condition_status: str | None, resolve_by: date | None
) -> None:
    on = date(2026, 1, 1)
    with session_scope(seeded.write) as session:
        row = session.get(Prediction, 1)
        assert row is not None
        row.outcome, row.condition_status, row.resolve_by = outcome, condition_status, resolve_by
    expected = derive_status(outcome, condition_status, resolve_by, on)
    with Session(seeded.read) as session:
        matching = {
            s for s in ("open", "due", "resolved", "void")
            if session.scalar(select(Prediction.id).where(Prediction.id == 1,
                                                          status_filter(s, on)))  # type: ignore[arg-type]
        }
    assert matching == {expected}
