# mypy: disable-error-code="valid-type"
"""Request and response shapes for resolutions, forecasts, condition checks and status changes."""

import re
from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AwareDatetime, BeforeValidator, Field

from app.claims.schemas import RecommendationStatus
from app.schemas import Day, Id, Input, Output, Probability, ShortText, Text, Url, text

Outcome = Literal["true", "false", "partially_true", "ambiguous", "annulled"]
ConditionStatus = Literal["met", "not_met"]

_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
                        r"([Zz]|[+-][0-9]{2}:?[0-9]{2})")


def _timestamp_text(value: Any) -> Any:
    if isinstance(value, datetime) or (isinstance(value, str) and _TIMESTAMP.fullmatch(value)):
        return value
    raise ValueError("timestamps are RFC 3339 text with a timezone, e.g. 2026-01-31T12:00:00Z")


Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(_timestamp_text),
    Field(json_schema_extra={"format": "date-time"}),
]


class EvidenceItem(Input):
    """A source that shows what happened."""

    title: text(500, min_length=1)
    url: Url | None = None
    quote: Text | None = Field(default=None, description="The passage that shows it, verbatim.")
    published_on: Day | None = None


Evidence = Annotated[list[EvidenceItem], Field(max_length=20)]


class EvidenceRead(Output):
    title: str
    url: str | None
    quote: str | None
    published_on: date | None


class LogRead(Output):
    id: int
    recorded_at: datetime
    recorded_by: str | None
    evidence: list[EvidenceRead]


class ResolutionCreate(Input):
    outcome: Outcome
    outcome_known_on: Day = Field(description="When the outcome became knowable.")
    rationale: Text | None = Field(default=None, description="Why; required for a correction.")
    evidence: Evidence = Field(default_factory=list)
    supersedes_id: Id | None = Field(
        default=None, description="The current resolution this one corrects."
    )
    recorded_by: ShortText | None = Field(default=None, description="Who records it.")


class ResolutionRead(LogRead):
    prediction_id: int
    outcome: Outcome
    outcome_known_on: date
    rationale: str | None
    supersedes_id: int | None
    current: bool = Field(description="True for the resolution in force.")


class ForecastCreate(Input):
    forecaster_id: Id = Field(description="The analyst giving the probability.")
    probability: Probability
    made_at: Timestamp | None = Field(default=None, description="When it was made; now if omitted.")
    rationale: Text | None = None


class ForecastRead(Output):
    id: int
    prediction_id: int
    forecaster_id: int
    kind: Literal["initial", "update"] = Field(
        description="`initial`: the author's stated or implied probability at publication."
    )
    probability: float
    made_at: datetime
    valid_to: datetime | None = Field(
        description="When the forecaster replaced it; null while current."
    )
    rationale: str | None
    recorded_at: datetime


class ConditionCheckCreate(Input):
    status: ConditionStatus
    checked_on: Day
    note: Text | None = None
    evidence: Evidence = Field(default_factory=list)
    recorded_by: ShortText | None = None


class ConditionCheckRead(LogRead):
    prediction_id: int
    status: ConditionStatus
    checked_on: date
    note: str | None


class StatusChangeCreate(Input):
    status: RecommendationStatus
    changed_on: Day = Field(description="When the change happened.")
    note: Text | None = None
    evidence: Evidence = Field(default_factory=list)
    recorded_by: ShortText | None = None


class StatusChangeRead(LogRead):
    recommendation_id: int
    status: RecommendationStatus
    changed_on: date
    note: str | None


T = TypeVar("T")


class History(Output, Generic[T]):
    """A whole history, oldest first."""

    items: list[T]
