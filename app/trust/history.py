"""Reading the audit trail: one record's history, or the whole trail with filters."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlmodel import Session, col

from app.models import AuditEvent
from app.pagination import Page, paginate_rows, parse_keyset, sort_key
from app.schemas import Instant, Output, QueryId

Action = Literal["create", "update", "delete", "revoke"]
RecordType = Literal[
    "organization", "analyst", "actor", "topic", "document", "report", "event", "prediction",
    "recommendation", "annotation", "resolution", "forecast", "condition_check",
    "status_change", "api_key", "score_rollup",
]


class AuditEventRead(Output):
    """One write: who made it (the key's name), when, and the values before and after."""

    id: int
    at: datetime
    actor: str = Field(description="Name of the API key that made the change (`seed` for "
                       "the curated seed).")
    record_type: str
    record_id: int
    action: str = Field(description="create, update, delete or revoke.")
    before: dict[str, Any] | None = Field(description="The record before; null on create.")
    after: dict[str, Any] | None = Field(description="The record after; null on delete.")


class AuditEventAdminRead(AuditEventRead):
    """An audit row as administrators see it, with the id of the key that wrote it."""

    key_id: int | None = Field(description="Id of the API key; null for the seed.")


class HistoryQuery(BaseModel):
    """Paging through a history, oldest first."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=200, description="Page size (at most 200).")
    cursor: str | None = Field(
        default=None, max_length=1000, description="`next_cursor` of the previous page."
    )


class AuditQuery(HistoryQuery):
    """Filters on the whole audit trail."""

    record_type: RecordType | None = None
    record_id: QueryId | None = Field(default=None, description="With `record_type`.")
    actor: str | None = Field(default=None, min_length=1, max_length=100,
                              description="The key name that made the changes.")
    key_id: QueryId | None = None
    action: Action | None = None
    since: Instant | None = Field(default=None, description="At or after this time.")
    until: Instant | None = Field(default=None, description="Before this time.")


def history_page(
    session: Session, q: HistoryQuery, *, record_type: str | None = None,
    record_id: int | None = None, admin: bool = False,
) -> Page[Any]:
    """One page of audit rows in the order they were written."""
    sorts = {"id": sort_key(AuditEvent.id)}  # type: ignore[arg-type]
    keyset = parse_keyset("id", q.cursor, sorts, col(AuditEvent.id))
    stmt = select(AuditEvent)
    if record_type is not None:
        stmt = stmt.where(col(AuditEvent.record_type) == record_type)
    if record_id is not None:
        stmt = stmt.where(col(AuditEvent.record_id) == record_id)
    if isinstance(q, AuditQuery):
        for column, value in ((AuditEvent.actor, q.actor), (AuditEvent.key_id, q.key_id),
                              (AuditEvent.action, q.action)):
            if value is not None:
                stmt = stmt.where(col(column) == value)
        if q.since is not None:
            stmt = stmt.where(col(AuditEvent.at) >= q.since)
        if q.until is not None:
            stmt = stmt.where(col(AuditEvent.at) < q.until)
    if (cond := keyset.where()) is not None:
        stmt = stmt.where(cond)
    rows = list(session.scalars(stmt.order_by(*keyset.order_by()).limit(q.limit + 1)))
    page, next_cursor = paginate_rows(rows, q.limit, keyset)
    read = AuditEventAdminRead if admin else AuditEventRead
    return Page[read](  # type: ignore[valid-type]
        items=[read.model_validate(r) for r in page], next_cursor=next_cursor)
