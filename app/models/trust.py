"""Who may write, what they wrote, and replays of creations: keys, audit, idempotency."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from app.types import UTCDateTime, utcnow


class ApiKey(SQLModel, table=True):
    """A client's key: only a SHA-256 hash of the secret is stored."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, index=True)
    role: str = Field(max_length=16)
    public_id: str = Field(max_length=16, unique=True)
    secret_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1, nullable=False)


class AuditEvent(SQLModel, table=True):
    """One write: who, what, when, and the record before and after. Append-only."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_record", "record_type", "record_id", "id"),
        Index("ix_audit_event_key_id", "key_id", "id"),
        Index("ix_audit_event_at", "at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    key_id: int | None = Field(default=None, foreign_key="api_key.id", ondelete="RESTRICT")
    actor: str = Field(max_length=100)
    record_type: str = Field(max_length=32)
    record_id: int
    action: str = Field(max_length=16)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class IdempotencyRecord(SQLModel, table=True):
    """The first response to a POST carrying an `Idempotency-Key`, kept for replays."""

    __tablename__ = "idempotency_record"
    __table_args__ = (Index("ix_idempotency_record_created_at", "created_at"),)

    key_id: int = Field(foreign_key="api_key.id", primary_key=True, ondelete="CASCADE")
    idempotency_key: str = Field(max_length=200, primary_key=True)
    fingerprint: str = Field(max_length=64)
    status_code: int
    body: str = Field(sa_type=Text)
    headers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
