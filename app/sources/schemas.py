# mypy: disable-error-code="valid-type"
"""Request and response shapes for documents, reports and events."""

from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints

from app.directory.schemas import ActorRead, AnalystRead, OrganizationRead, TopicRead
from app.schemas import (
    Day,
    Id,
    IdList,
    Input,
    ListQuery,
    LongText,
    Name,
    Patch,
    Precision,
    RecordRead,
    Ref,
    SearchText,
    ShortText,
    Slug,
    Text,
    Title,
    Url,
    include_options,
    sort_options,
    text,
)

Body = text(1_000_000, min_length=1)
Language = Annotated[
    str, StringConstraints(max_length=16, pattern=r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
]


class DocumentCreate(Input):
    slug: Slug | None = Field(default=None, description="Generated from the title when left out.")
    title: Title
    outlet_id: Id | None = Field(default=None, description="The organization that published it.")
    url: Url | None = None
    published_on: Day | None = None
    published_precision: Precision = "unknown"
    language: Language = Field(default="en", description="BCP 47 language tag.")
    body: Body = Field(description="The text exactly as received; quotes point into it.")


class DocumentUpdate(Patch):
    slug: Slug = None  # type: ignore[assignment]
    title: Title = None  # type: ignore[assignment]
    outlet_id: Id | None = None
    url: Url | None = None
    published_on: Day | None = None
    published_precision: Precision = None  # type: ignore[assignment]
    language: Language = None  # type: ignore[assignment]
    body: Body = Field(
        default=None,
        description="A new text; quotes and span annotations on it are re-anchored.",
    )


class DocumentRead(RecordRead):
    title: str
    outlet_id: int | None
    url: str | None
    published_on: date | None
    published_precision: str
    language: str
    body: str
    sha256: str = Field(description="SHA-256 of the body's UTF-8 bytes.")
    outlet: OrganizationRead | None = Field(default=None, description="With `include=outlet`.")


class DocumentQuery(ListQuery):
    q: SearchText | None = Field(default=None, description="Full-text search (see /v1/search).")
    outlet: Ref | None = Field(default=None, description="Outlet organization id or slug.")
    language: Language | None = None
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    sort: sort_options("id", "published_on", "created_at", "updated_at") = "id"
    include: include_options("outlet") = []


class ReportCreate(Input):
    slug: Slug | None = Field(default=None, description="Generated from the title when left out.")
    title: Title
    publisher_id: Id | None = None
    published_on: Day | None = None
    published_precision: Precision = "unknown"
    published_wording: ShortText | None = Field(
        default=None, description="How the source words the date, e.g. 'On Wednesday'."
    )
    url: Url | None = None
    summary: LongText | None = None
    author_ids: IdList = Field(default_factory=list, description="Analyst ids, in byline order.")
    document_ids: IdList = Field(default_factory=list, description="Documents describing it.")


class ReportUpdate(Patch):
    slug: Slug = None  # type: ignore[assignment]
    title: Title = None  # type: ignore[assignment]
    publisher_id: Id | None = None
    published_on: Day | None = None
    published_precision: Precision = None  # type: ignore[assignment]
    published_wording: ShortText | None = None
    url: Url | None = None
    summary: LongText | None = None
    author_ids: IdList = None  # type: ignore[assignment]
    document_ids: IdList = None  # type: ignore[assignment]


class ReportRead(RecordRead):
    title: str
    publisher_id: int | None
    published_on: date | None
    published_precision: str
    published_wording: str | None
    url: str | None
    summary: str | None
    author_ids: list[int]
    document_ids: list[int]
    publisher: OrganizationRead | None = Field(
        default=None, description="With `include=publisher`."
    )
    authors: list[AnalystRead] | None = Field(default=None, description="With `include=authors`.")
    documents: list[DocumentRead] | None = Field(
        default=None, description="With `include=documents`."
    )


class ReportQuery(ListQuery):
    q: SearchText | None = Field(default=None, description="Full-text search (see /v1/search).")
    organization: Ref | None = Field(default=None, description="Publisher id or slug.")
    analyst: Ref | None = Field(default=None, description="Author id or slug.")
    published_after: Day | None = Field(default=None, description="On or after this day.")
    published_before: Day | None = Field(default=None, description="On or before this day.")
    sort: sort_options("id", "published_on", "created_at", "updated_at") = "id"
    include: include_options("publisher", "authors", "documents") = []


class EventCreate(Input):
    slug: Slug | None = Field(default=None, description="Generated from the name when left out.")
    name: text(300, min_length=1)  # type: ignore[valid-type]
    description: Text | None = None
    starts_on: Day | None = Field(default=None, description="First day (of the month/year).")
    ends_on: Day | None = None
    date_precision: Precision = "unknown"
    date_wording: ShortText | None = None
    actor_ids: IdList = Field(default_factory=list)
    topic_ids: IdList = Field(default_factory=list)


class EventUpdate(Patch):
    slug: Slug = None  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]
    description: Text | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None
    date_precision: Precision = None  # type: ignore[assignment]
    date_wording: ShortText | None = None
    actor_ids: IdList = None  # type: ignore[assignment]
    topic_ids: IdList = None  # type: ignore[assignment]


class EventRead(RecordRead):
    name: str
    description: str | None
    starts_on: date | None
    ends_on: date | None
    date_precision: str
    date_wording: str | None
    actor_ids: list[int]
    topic_ids: list[int]
    actors: list[ActorRead] | None = Field(default=None, description="With `include=actors`.")
    topics: list[TopicRead] | None = Field(default=None, description="With `include=topics`.")


class EventQuery(ListQuery):
    actor: Ref | None = Field(default=None, description="Actor id or slug.")
    topic: Ref | None = Field(default=None, description="Topic id or slug.")
    starts_after: Day | None = Field(default=None, description="Starts on or after this day.")
    starts_before: Day | None = Field(default=None, description="Starts on or before this day.")
    sort: sort_options("id", "starts_on", "created_at", "updated_at") = "id"
    include: include_options("actors", "topics") = []
