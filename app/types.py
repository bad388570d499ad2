"""Column types that behave the same on SQLite and PostgreSQL."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import DateTime, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class StoredIds(TypeDecorator[list[int]]):
    """A record's linked ids kept on its own row, in the link's order: compact JSON text on
    SQLite (as orjson writes it, so a page can pass it into its JSON unparsed), jsonb on
    PostgreSQL. The link table stays the source for filters; writes keep the two equal."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        return dialect.type_descriptor(JSONB() if dialect.name == "postgresql" else Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        ids = [int(i) for i in value or ()]
        return ids if dialect.name == "postgresql" else orjson.dumps(ids).decode()

    def process_result_value(self, value: Any, dialect: Dialect) -> list[int]:
        return id_list(value)


def id_list(value: Any) -> list[int]:
    """An id array as a driver returns it (JSON text from SQLite, a list from psycopg, or
    NULL) as a list."""
    if value is None:
        return []
    return orjson.loads(value) if isinstance(value, str | bytes) else list(value)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC that always reads back timezone-aware.

    SQLite has no timezone type and hands back naive values; PostgreSQL's
    timestamptz hands back aware ones. Both come out of here as aware UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected datetime, got {type(value).__name__}")
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


_frozen_now: ContextVar[datetime | None] = ContextVar("frozen_now", default=None)


def utcnow() -> datetime:
    """The current time, aware, in UTC (or the instant `frozen_clock` holds)."""
    frozen = _frozen_now.get()
    return frozen if frozen is not None else datetime.now(UTC)


@contextmanager
def frozen_clock(at: datetime) -> Iterator[None]:
    """Make `utcnow()` return `at` inside the block: bulk loads stamp records with set times."""
    if at.tzinfo is None:
        raise ValueError("the frozen clock needs an aware datetime")
    token = _frozen_now.set(at)
    try:
        yield
    finally:
        _frozen_now.reset(token)
