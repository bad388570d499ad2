"""The audit trail: one append-only row per write, in the write's own transaction."""

from typing import Any

from pydantic import BaseModel
from sqlalchemy import insert
from sqlmodel import Session

from app.models import AuditEvent
from app.trust.keys import Principal
from app.types import utcnow


def snapshot(item: BaseModel | dict[str, Any] | None) -> dict[str, Any] | None:
    """A record's values as JSON-ready data (None for no record)."""
    if item is None or isinstance(item, dict):
        return item
    return item.model_dump(mode="json", exclude_none=False)


def record(
    session: Session,
    principal: Principal | None,
    record_type: str,
    record_id: int,
    action: str,
    before: BaseModel | dict[str, Any] | None,
    after: BaseModel | dict[str, Any] | None,
    *,
    actor: str | None = None,
) -> None:
    """Append who did what to which record, with its values before and after (on the
    session's connection, with a statement built once)."""
    session.connection().execute(_INSERT, {
        "at": utcnow(),
        "key_id": principal.key_id if principal else None,
        "actor": principal.name if principal else (actor or "system"),
        "record_type": record_type,
        "record_id": record_id,
        "action": action,
        "before": snapshot(before),
        "after": snapshot(after),
    })
    session.info["audited"] = True


_INSERT = insert(AuditEvent.__table__)  # type: ignore[attr-defined]
