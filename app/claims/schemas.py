# mypy: disable-error-code="valid-type"
"""Request and response shapes for predictions and recommendations."""

from datetime import date
from typing import Any, Literal

from pydantic import Field, model_validator

from app.claims.quotes import QuoteIn, QuoteOut, quote_from_columns
from app.claims.status import Status, derive_status, today
from app.directory.schemas import ActorRead, AnalystRead, OrganizationRead, TopicRead
from app.schemas import (
    Day,
    Id,
    IdList,
    Input,
    ListQuery,
    LongText,
    Patch,
    Precision,
    Probability,
    RecordRead,
    Ref,
    SearchText,
    ShortText,
    Slug,
    Text,
    include_options,
    sort_options,
    text,
)
from app.sources.schemas import EventRead, ReportRead

Statement = text(4000, min_length=1)
RecommendationStatus = Literal[
    "open", "accepted", "partially_implemented", "implemented", "rejected", "superseded", "moot"
]


class PredictionCreate(Input):
    slug: Slug | None = Field(default=None, description="Generated from the statement if omitted.")
    report_id: Id
    analyst_id: Id = Field(description="The analyst (or group) the prediction is attributed to.")
    statement: Statement = Field(description="A clean, self-contained restatement.")
    quote: QuoteIn | None = None
    cue: ShortText | None = Field(default=None, description="The hedge words, verbatim.")
    probability: Probability | None = Field(default=None, description="Stated or editor-set.")
    condition: Text | None = Field(default=None, description="For 'if X, then Y': X.")
    resolve_by: Day | None = None
    resolution_criteria: LongText | None = None
    actor_ids: IdList = Field(default_factory=list)
    topic_ids: IdList = Field(default_factory=list)
    event_ids: IdList = Field(default_factory=list)


class PredictionUpdate(Patch):
    slug: Slug = None  # type: ignore[assignment]
    report_id: Id = None  # type: ignore[assignment]
    analyst_id: Id = None  # type: ignore[assignment]
    statement: Statement = None  # type: ignore[assignment]
    quote: QuoteIn | None = None
    cue: ShortText | None = None
    probability: Probability | None = None
    condition: Text | None = None
    resolve_by: Day | None = None
    resolution_criteria: LongText | None = None
    actor_ids: IdList = None  # type: ignore[assignment]
    topic_ids: IdList = None  # type: ignore[assignment]
    event_ids: IdList = None  # type: ignore[assignment]


class PredictionRead(RecordRead):
    report_id: int
    analyst_id: int
    statement: str
    quote: QuoteOut | None
    cue: str | None
    probability: float | None
    implied_probability: float | None = Field(
        description="Midpoint of the cue's band on the estimative scale (GET /v1/estimative-scale)."
    )
    estimative_term: str | None = Field(description="The scale band the cue falls in.")
    conditional: bool
    condition: str | None
    condition_status: Literal["pending", "met", "not_met"] | None
    resolve_by: date | None
    resolution_criteria: str | None
    outcome: str | None = Field(description="The current resolution's outcome, if resolved.")
    outcome_known_on: date | None = Field(description="When the current outcome became known.")
    resolution_id: int | None = Field(description="The current resolution.")
    community_probability: float | None = Field(
        description="Median of every forecaster's current forecast."
    )
    time_averaged_probability: float | None = Field(
        description="The author's forecasts averaged over time until the outcome was known."
    )
    status: Status = Field(description="open, due, resolved or void; derived, never set.")
    actor_ids: list[int]
    topic_ids: list[int]
    event_ids: list[int]
    analyst: AnalystRead | None = Field(default=None, description="With `include=analyst`.")
    report: ReportRead | None = Field(default=None, description="With `include=report`.")
    actors: list[ActorRead] | None = Field(default=None, description="With `include=actors`.")
    topics: list[TopicRead] | None = Field(default=None, description="With `include=topics`.")
    events: list[EventRead] | None = Field(default=None, description="With `include=events`.")

    @classmethod
    def from_columns(cls, values: dict[str, Any], on: date) -> dict[str, Any]:
        """Turn a row's stored columns into this model's fields, in place: the quote
        folded, `conditional` and `status` (on that day) derived. The fast path
        (app/fastpath.py) serializes rows through here without building the model."""
        quote_from_columns(values)
        values["conditional"] = values.get("condition") is not None
        values["status"] = derive_status(
            values.get("outcome"), values.get("condition_status"), values.get("resolve_by"), on
        )
        return values

    @model_validator(mode="before")
    @classmethod
    def _derive(cls, values: Any) -> Any:
        if isinstance(values, dict) and "status" not in values:
            values = cls.from_columns(dict(values), today())
        return values


class PredictionQuery(ListQuery):
    q: SearchText | None = Field(default=None, description="Full-text search (see /v1/search).")
    analyst: Ref | None = Field(default=None, description="Analyst id or slug.")
    organization: Ref | None = Field(default=None, description="The analyst's organization.")
    report: Ref | None = Field(default=None, description="Report id or slug.")
    actor: Ref | None = Field(default=None, description="Actor id or slug.")
    topic: Ref | None = Field(default=None, description="Topic id or slug.")
    event: Ref | None = Field(default=None, description="Event id or slug.")
    status: Status | None = None
    conditional: bool | None = Field(default=None, description="Only (un)conditional ones.")
    resolve_by_after: Day | None = Field(default=None, description="resolve_by on or after.")
    resolve_by_before: Day | None = Field(default=None, description="resolve_by on or before.")
    published_after: Day | None = Field(default=None, description="Report published on/after.")
    published_before: Day | None = Field(default=None, description="Report published on/before.")
    sort: sort_options("id", "resolve_by", "created_at", "updated_at") = Field(
        default="id", description="Default `id`; with `status=due`, `resolve_by` (oldest first)."
    )
    include: include_options("analyst", "report", "actors", "topics", "events") = []


class RecommendationCreate(Input):
    slug: Slug | None = Field(default=None, description="Generated from the statement if omitted.")
    report_id: Id | None = None
    analyst_id: Id | None = None
    organization_id: Id | None = None
    statement: Statement
    quote: QuoteIn | None = None
    cue: ShortText | None = Field(default=None, description="The advice words, verbatim.")
    addressee_id: Id | None = Field(default=None, description="The actor the advice is for.")
    issued_on: Day | None = None
    issued_precision: Precision = "unknown"
    issued_wording: ShortText | None = None
    actor_ids: IdList = Field(default_factory=list)
    topic_ids: IdList = Field(default_factory=list)


class RecommendationUpdate(Patch):
    slug: Slug = None  # type: ignore[assignment]
    report_id: Id | None = None
    analyst_id: Id | None = None
    organization_id: Id | None = None
    statement: Statement = None  # type: ignore[assignment]
    quote: QuoteIn | None = None
    cue: ShortText | None = None
    addressee_id: Id | None = None
    issued_on: Day | None = None
    issued_precision: Precision = None  # type: ignore[assignment]
    issued_wording: ShortText | None = None
    actor_ids: IdList = None  # type: ignore[assignment]
    topic_ids: IdList = None  # type: ignore[assignment]


class RecommendationRead(RecordRead):
    report_id: int | None
    analyst_id: int | None
    organization_id: int | None
    statement: str
    quote: QuoteOut | None
    cue: str | None
    addressee_id: int | None
    issued_on: date | None
    issued_precision: str
    issued_wording: str | None
    status: RecommendationStatus
    actor_ids: list[int]
    topic_ids: list[int]
    analyst: AnalystRead | None = Field(default=None, description="With `include=analyst`.")
    organization: OrganizationRead | None = Field(
        default=None, description="With `include=organization`."
    )
    report: ReportRead | None = Field(default=None, description="With `include=report`.")
    addressee: ActorRead | None = Field(default=None, description="With `include=addressee`.")
    actors: list[ActorRead] | None = Field(default=None, description="With `include=actors`.")
    topics: list[TopicRead] | None = Field(default=None, description="With `include=topics`.")

    @classmethod
    def from_columns(cls, values: dict[str, Any], on: date) -> dict[str, Any]:
        """Turn a row's stored columns into this model's fields, in place (the quote)."""
        return quote_from_columns(values)

    @model_validator(mode="before")
    @classmethod
    def _fold_quote(cls, values: Any) -> Any:
        if isinstance(values, dict) and "quote_document_id" in values:
            values = cls.from_columns(dict(values), today())
        return values


class RecommendationQuery(ListQuery):
    q: SearchText | None = Field(default=None, description="Full-text search (see /v1/search).")
    analyst: Ref | None = Field(default=None, description="Analyst id or slug.")
    organization: Ref | None = Field(
        default=None, description="Attributed organization, or the analyst's organization."
    )
    report: Ref | None = Field(default=None, description="Report id or slug.")
    addressee: Ref | None = Field(default=None, description="Addressee actor id or slug.")
    actor: Ref | None = Field(default=None, description="Actor id or slug.")
    topic: Ref | None = Field(default=None, description="Topic id or slug.")
    status: RecommendationStatus | None = None
    issued_after: Day | None = Field(default=None, description="Issued on or after.")
    issued_before: Day | None = Field(default=None, description="Issued on or before.")
    sort: sort_options("id", "issued_on", "created_at", "updated_at") = "id"
    include: include_options(
        "analyst", "organization", "report", "addressee", "actors", "topics"
    ) = []
