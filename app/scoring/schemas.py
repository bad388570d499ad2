"""Shapes of score reports, track records and calibration tables."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas import Day, Output, Ref

GroupBy = Literal["analyst", "organization", "topic", "actor", "year", "all"]
ProbabilityChoice = Literal["initial", "time_averaged"]
BrierForm = Literal["0-1", "0-2"]


class RecordFilters(BaseModel):
    """Which of an analyst's predictions are scored, and how."""

    model_config = ConfigDict(extra="forbid")

    published_after: Day | None = Field(default=None, description="Report published on/after.")
    published_before: Day | None = Field(default=None, description="Report published on/before.")
    resolved_after: Day | None = Field(default=None, description="Outcome known on/after.")
    resolved_before: Day | None = Field(default=None, description="Outcome known on/before.")
    probability: ProbabilityChoice = Field(
        default="initial",
        description="`initial`: the author's probability at publication (stated, else implied "
        "by the cue); `time_averaged`: the author's forecasts averaged over time until the "
        "outcome was known.",
    )


class ScoreFilters(RecordFilters):
    """Which predictions are scored, and how."""

    analyst: Ref | None = Field(default=None, description="Analyst id or slug.")
    organization: Ref | None = Field(default=None, description="The analyst's organization.")
    topic: Ref | None = Field(default=None, description="Topic id or slug.")
    actor: Ref | None = Field(default=None, description="Actor id or slug.")


class ScoreQuery(ScoreFilters):
    group_by: GroupBy = "analyst"
    brier_form: BrierForm = Field(
        default="0-1", description="`0-2`: Brier's original two-category score (twice 0-1)."
    )


class LeftOut(Output):
    """Predictions not scored, by reason."""

    ambiguous: int = 0
    annulled: int = 0
    void: int = Field(default=0, description="Condition not met.")
    unresolved: int = 0
    no_probability: int = Field(default=0, description="No stated or implied probability.")


class Murphy(Output):
    """Brier = reliability - resolution + uncertainty + within_bin_variance
    - 2 * within_bin_covariance (10 forecast bins; the last two vanish when every forecast
    in a bin is the same)."""

    reliability: float
    resolution: float
    uncertainty: float
    within_bin_variance: float
    within_bin_covariance: float


class GroupScore(Output):
    key: str = Field(description="Slug of the group's record, the year, or `all`.")
    id: int | None
    name: str
    scored: int
    left_out: LeftOut
    brier: float | None
    log_loss: float | None = Field(description="Mean negative natural-log likelihood.")
    brier_skill_vs_even: float | None = Field(description="1 - Brier / Brier of always 50 %.")
    brier_skill_vs_base_rate: float | None = Field(
        description="1 - Brier / Brier of always forecasting the group's observed rate."
    )
    base_rate: float | None
    murphy: Murphy | None


class ScoreReport(Output):
    group_by: GroupBy
    probability: ProbabilityChoice
    brier_form: BrierForm
    partially_true_scored_as: float = Field(description="Outcome value of `partially_true`.")
    groups: list[GroupScore]


class CalibrationBin(Output):
    low: float = Field(description="Lower edge of the forecast bin.")
    high: float
    count: int
    mean_forecast: float | None
    observed_frequency: float | None
    interval_low: float | None = Field(description="90 % Wilson interval on the frequency.")
    interval_high: float | None


class Calibration(Output):
    title: str
    scored: int
    bins: list[CalibrationBin]


class Adoption(Output):
    """What became of an analyst's recommendations."""

    total: int
    by_status: dict[str, int]
    decided: int = Field(description="No longer `open`.")
    adopted: int = Field(description="accepted, partially_implemented or implemented.")
    adoption_rate: float | None = Field(description="adopted / decided.")


class TrackRecord(Output):
    analyst_id: int
    name: str
    score: GroupScore
    calibration: Calibration
    recommendations: Adoption
    as_of: date
