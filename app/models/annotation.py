"""Notes on any record, or on a span of a document's text (W3C Web Annotation model)."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

from app.types import UTCDateTime, utcnow


class Annotation(SQLModel, table=True):
    """A body (text or Markdown) with a motivation, on a target record or document span."""

    __table_args__ = (
        Index("ix_annotation_target_type_target_id_id", "target_type", "target_id", "id"),
        Index("ix_annotation_author_id", "author", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    target_type: str = Field(max_length=16)
    target_id: int
    reply_to_id: int | None = Field(
        default=None, foreign_key="annotation.id", ondelete="RESTRICT", index=True
    )
    body: str = Field(sa_type=Text, nullable=False)
    body_format: str = Field(default="text/plain", max_length=16)
    motivation: str = Field(max_length=16)
    author: str = Field(max_length=200)
    selector_exact: str | None = Field(default=None, sa_type=Text)
    selector_prefix: str | None = Field(default=None, max_length=200)
    selector_suffix: str | None = Field(default=None, max_length=200)
    selector_start: int | None = None
    selector_end: int | None = None
    anchor_status: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class AnnotationTag(SQLModel, table=True):
    """A tag on an annotation; indexed by tag for "every annotation tagged X"."""

    __tablename__ = "annotation_tag"
    __table_args__ = (Index("ix_annotation_tag_tag_annotation_id", "tag", "annotation_id"),)

    annotation_id: int = Field(
        sa_column=Column(Integer, ForeignKey("annotation.id", ondelete="CASCADE"),
                         primary_key=True)
    )
    tag: str = Field(sa_column=Column(String(100), primary_key=True))
