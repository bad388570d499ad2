# mypy: disable-error-code="valid-type"
"""Shapes of annotations, as JSON and as W3C Web Annotation JSON-LD."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.schemas import (
    Day,
    Id,
    Input,
    ListQuery,
    Offset,
    Output,
    Patch,
    QueryId,
    SearchText,
    text,
)

Motivation = Literal[
    "assessing", "bookmarking", "classifying", "commenting", "describing", "editing",
    "highlighting", "identifying", "linking", "moderating", "questioning", "replying", "tagging",
]
TargetType = Literal[
    "report", "document", "prediction", "recommendation", "analyst", "resolution", "annotation"
]
BodyFormat = Literal["text/plain", "text/markdown"]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00,]+$")]
AnchorStatus = Literal["anchored", "fuzzy", "orphaned"]


class SelectorIn(Input):
    """A span of the target document: TextQuoteSelector + TextPositionSelector."""

    exact: text(20_000, min_length=1)
    start: Offset
    end: Offset
    prefix: text(200) | None = Field(default=None, description="Checked when given.")
    suffix: text(200) | None = Field(default=None, description="Checked when given.")


class TargetIn(Input):
    type: TargetType
    id: Id
    selector: SelectorIn | None = Field(default=None, description="Only on documents.")


class AnnotationCreate(Input):
    target: TargetIn | None = Field(default=None, description="What the note is on.")
    reply_to_id: Id | None = Field(
        default=None, description="Reply to this annotation (instead of a target)."
    )
    body: text(20_000, min_length=1)
    format: BodyFormat = "text/plain"
    motivation: Motivation = Field(default="commenting", description="W3C motivation.")
    tags: Annotated[list[Tag], Field(max_length=20)] = Field(default_factory=list)


class AnnotationUpdate(Patch):
    body: text(20_000, min_length=1) = None  # type: ignore[assignment]
    format: BodyFormat = None  # type: ignore[assignment]
    motivation: Motivation = None  # type: ignore[assignment]
    tags: Annotated[list[Tag], Field(max_length=20)] = None  # type: ignore[assignment]


class SelectorRead(Output):
    exact: str
    start: int
    end: int
    prefix: str
    suffix: str
    status: AnchorStatus


class TargetRead(Output):
    type: TargetType
    id: int
    selector: SelectorRead | None


class AnnotationRead(Output):
    id: int
    target: TargetRead
    reply_to_id: int | None
    body: str
    format: BodyFormat
    motivation: Motivation
    tags: list[str]
    author: str = Field(description="Name of the API key that wrote it; only that author "
                        "(or an admin) may change or delete it.")
    created_at: datetime
    modified_at: datetime
    version: int


class AnnotationQuery(ListQuery):
    target_type: TargetType | None = None
    target_id: QueryId | None = None
    author: text(200, min_length=1) | None = None
    tag: Tag | None = None
    motivation: Motivation | None = None
    reply_to: QueryId | None = Field(default=None, description="Replies to this annotation.")
    created_after: Day | None = None
    created_before: Day | None = None
    q: SearchText | None = Field(default=None, description="Full-text search.")
