"""What happened afterwards: resolutions, condition checks, forecasts, recommendation status.

Resolutions, condition checks and status changes are append-only: the database itself
refuses UPDATE and DELETE on them (triggers in the migration). A correction is a new row.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from app.types import UTCDateTime, utcnow


class LogEntry(SQLModel):
    """Columns every append-only log row carries."""

    id: int | None = Field(default=None, primary_key=True)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    recorded_by: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=4000)
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON, nullable=False)


class Resolution(LogEntry, table=True):
    """An outcome recorded for a prediction; a correction names the row it supersedes."""

    __table_args__ = (Index("ix_resolution_prediction_id_id", "prediction_id", "id"),)

    prediction_id: int = Field(foreign_key="prediction.id", ondelete="RESTRICT")
    outcome: str = Field(max_length=16)
    outcome_known_on: date
    supersedes_id: int | None = Field(
        default=None, foreign_key="resolution.id", ondelete="RESTRICT"
    )


class ConditionCheck(LogEntry, table=True):
    """A finding on whether a conditional prediction's condition held."""

    __tablename__ = "condition_check"
    __table_args__ = (Index("ix_condition_check_prediction_id_id", "prediction_id", "id"),)

    prediction_id: int = Field(foreign_key="prediction.id", ondelete="RESTRICT")
    status: str = Field(max_length=16)
    checked_on: date


class StatusChange(LogEntry, table=True):
    """A recommendation moving to a new status, dated, with evidence."""

    __tablename__ = "recommendation_status_change"
    __table_args__ = (
        Index("ix_recommendation_status_change_recommendation_id_id", "recommendation_id", "id"),
    )

    recommendation_id: int = Field(foreign_key="recommendation.id", ondelete="RESTRICT")
    status: str = Field(max_length=32)
    changed_on: date


class Forecast(SQLModel, table=True):
    """A probability on a prediction by an analyst, valid from `made_at` until replaced."""

    __table_args__ = (
        Index("ix_forecast_prediction_id_forecaster_id_made_at",
              "prediction_id", "forecaster_id", "made_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    prediction_id: int = Field(foreign_key="prediction.id", ondelete="CASCADE")
    forecaster_id: int = Field(foreign_key="analyst.id", ondelete="RESTRICT", index=True)
    kind: str = Field(default="update", max_length=16)
    probability: float
    made_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    valid_to: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rationale: str | None = Field(default=None, max_length=4000)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ScoreRollup(SQLModel, table=True):
    """Running sums behind the scores, per dimension, probability choice, group and cell.

    A cell is a forecast bin ("0".."9") or a left-out reason. Kept in step with every
    write that touches a prediction's score, in the same transaction; group 0 stands
    for "none" (and for the single group of the `all` dimension).
    """

    __tablename__ = "score_rollup"

    dimension: str = Field(primary_key=True, max_length=16)
    choice: str = Field(primary_key=True, max_length=16)
    group_key: int = Field(primary_key=True)
    cell: str = Field(primary_key=True, max_length=16)
    n: int = 0
    f: float = 0.0
    ff: float = 0.0
    o: float = 0.0
    oo: float = 0.0
    fo: float = 0.0
    log: float = 0.0
