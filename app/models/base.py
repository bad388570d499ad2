"""Shared metadata (with a naming convention) and the columns every record has."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, MetaData
from sqlmodel import Field, SQLModel

from app.types import StoredIds, UTCDateTime, utcnow

# Stable constraint names on SQLite and PostgreSQL, so migrations can name what they drop.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class DatePrecision(StrEnum):
    """How much of a date is known: `2025-09-01` with `month` means "September 2025"."""

    day = "day"
    month = "month"
    year = "year"
    unknown = "unknown"


def linked_ids() -> Any:
    """A column of the ids a link table links to the record, in the link's order (see
    `types.StoredIds`; the resource's `Link` of the same name says which table): reads
    take them from the row, filters go on using the link table."""
    return Field(default_factory=list,
                 sa_column=Column(StoredIds, nullable=False, server_default="[]"))


class RecordBase(SQLModel):
    """Columns every stored record carries."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True, index=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


__all__ = ["DatePrecision", "RecordBase", "date", "linked_ids", "metadata"]
