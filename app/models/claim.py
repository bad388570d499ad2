"""Predictions and recommendations, with their verbatim quotes and graph links."""

from datetime import date

from sqlalchemy import Column, ForeignKey, Index, Integer, Table, Text
from sqlmodel import Field

from app.models.base import RecordBase, linked_ids, metadata


class QuotedClaim(RecordBase):
    """A claim with a verbatim span in a document (W3C TextQuote + TextPosition selectors)."""

    statement: str = Field(sa_type=Text, nullable=False)
    quote_document_id: int | None = Field(
        default=None, foreign_key="document.id", ondelete="RESTRICT", index=True
    )
    quote_exact: str | None = Field(default=None, sa_type=Text)
    quote_start: int | None = None
    quote_end: int | None = None
    quote_prefix: str | None = Field(default=None, max_length=200)
    quote_suffix: str | None = Field(default=None, max_length=200)
    cue: str | None = Field(default=None, max_length=200)
    quote_status: str | None = Field(
        default=None, max_length=16, description="anchored, fuzzy or orphaned (after revisions)."
    )


class Prediction(QuotedClaim, table=True):
    """A claim about the future, attributed to an analyst in a report."""

    __table_args__ = (
        Index("ix_prediction_analyst_id_id", "analyst_id", "id"),
        Index("ix_prediction_report_id_id", "report_id", "id"),
        Index("ix_prediction_resolve_by_id", "resolve_by", "id"),
    )

    report_id: int = Field(foreign_key="report.id", ondelete="RESTRICT")
    analyst_id: int = Field(foreign_key="analyst.id", ondelete="RESTRICT")
    probability: float | None = None
    implied_probability: float | None = None
    estimative_term: str | None = Field(default=None, max_length=40)
    condition: str | None = Field(default=None, sa_type=Text)
    condition_status: str | None = Field(default=None, max_length=16)
    resolve_by: date | None = None
    resolution_criteria: str | None = Field(default=None, sa_type=Text)
    outcome: str | None = Field(default=None, max_length=16)
    outcome_known_on: date | None = None
    resolution_id: int | None = Field(
        default=None, description="The current resolution (the newest; resolutions are a chain)."
    )
    community_probability: float | None = None
    time_averaged_probability: float | None = None
    actor_ids: list[int] = linked_ids()
    topic_ids: list[int] = linked_ids()
    event_ids: list[int] = linked_ids()


class Recommendation(QuotedClaim, table=True):
    """Advice attributed to an analyst or an organization, addressed to an actor."""

    __table_args__ = (
        Index("ix_recommendation_analyst_id_id", "analyst_id", "id"),
        Index("ix_recommendation_organization_id_id", "organization_id", "id"),
        Index("ix_recommendation_report_id_id", "report_id", "id"),
        Index("ix_recommendation_addressee_id_id", "addressee_id", "id"),
        Index("ix_recommendation_status_id", "status", "id"),
    )

    report_id: int | None = Field(default=None, foreign_key="report.id", ondelete="RESTRICT")
    analyst_id: int | None = Field(default=None, foreign_key="analyst.id", ondelete="RESTRICT")
    organization_id: int | None = Field(
        default=None, foreign_key="organization.id", ondelete="RESTRICT"
    )
    addressee_id: int | None = Field(default=None, foreign_key="actor.id", ondelete="RESTRICT")
    issued_on: date | None = None
    issued_precision: str = Field(default="unknown", max_length=8)
    issued_wording: str | None = Field(default=None, max_length=200)
    status: str = Field(default="open", max_length=32)
    actor_ids: list[int] = linked_ids()
    topic_ids: list[int] = linked_ids()


def link_table(left: str, right: str) -> Table:
    """A many-to-many table `<left>_<right>`; deleting the left row removes its links."""
    return Table(
        f"{left}_{right}",
        metadata,
        Column(f"{left}_id", Integer, ForeignKey(f"{left}.id", ondelete="CASCADE"),
               primary_key=True),
        Column(f"{right}_id", Integer, ForeignKey(f"{right}.id", ondelete="RESTRICT"),
               primary_key=True),
        # Covering index for "every <left> linked to this <right>", in id order.
        Index(f"ix_{left}_{right}_{right}_id_{left}_id", f"{right}_id", f"{left}_id"),
    )


prediction_actor = link_table("prediction", "actor")
prediction_topic = link_table("prediction", "topic")
prediction_event = link_table("prediction", "event")
recommendation_actor = link_table("recommendation", "actor")
recommendation_topic = link_table("recommendation", "topic")
event_actor = link_table("event", "actor")
event_topic = link_table("event", "topic")
