"""Recording what happened: resolutions, condition checks, forecasts, recommendation status."""

import statistics
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session, col

from app.claims.status import today
from app.errors import Conflict, NotFound
from app.models import (
    Analyst,
    ConditionCheck,
    Forecast,
    Prediction,
    Recommendation,
    Resolution,
    StatusChange,
)
from app.outcomes import schemas as s
from app.scoring import rollups
from app.types import utcnow


def _prediction(session: Session, prediction_id: int) -> Prediction:
    row = session.get(Prediction, prediction_id)
    if row is None:
        raise NotFound(f"No prediction with id {prediction_id}.")
    return row


def _touch(row: Prediction | Recommendation) -> None:
    row.version += 1
    row.updated_at = utcnow()


def _not_in_future(day: date, field: str) -> None:
    if day > today():
        raise Conflict(f"{field} ({day}) is in the future.")


def _history(session: Session, model: Any, owner: Any, owner_id: int) -> list[Any]:
    """A log's rows for one record, oldest first."""
    return list(session.scalars(select(model).where(col(owner) == owner_id)
                                .order_by(col(model.id))))


def _evidence(items: list[s.EvidenceItem]) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json") for item in items]


# ---- resolutions -----------------------------------------------------------------------

def resolution_read(row: Resolution, current_id: int | None) -> s.ResolutionRead:
    """The response shape of one resolution."""
    return s.ResolutionRead.model_validate(
        {**row.model_dump(), "rationale": row.note, "current": row.id == current_id}
    )


def get_resolution(session: Session, resolution_id: int) -> s.ResolutionRead:
    """One resolution by id."""
    row = session.get(Resolution, resolution_id)
    if row is None:
        raise NotFound(f"No resolution with id {resolution_id}.")
    prediction = _prediction(session, row.prediction_id)
    return resolution_read(row, prediction.resolution_id)


def list_resolutions(session: Session, prediction_id: int) -> list[s.ResolutionRead]:
    """Every resolution of a prediction, oldest first; the last one is in force."""
    prediction = _prediction(session, prediction_id)
    rows = _history(session, Resolution, Resolution.prediction_id, prediction_id)
    return [resolution_read(r, prediction.resolution_id) for r in rows]


def resolve(session: Session, prediction_id: int, body: s.ResolutionCreate) -> s.ResolutionRead:
    """Append a resolution (or a correction of the current one) and update the prediction."""
    with rollups.track(session, prediction_id):
        return _resolve(session, prediction_id, body)


def _resolve(session: Session, prediction_id: int, body: s.ResolutionCreate) -> s.ResolutionRead:
    prediction = _prediction(session, prediction_id)
    if prediction.condition_status == "not_met":
        raise Conflict("The prediction's condition was not met: it is void and cannot resolve.")
    current = prediction.resolution_id
    if body.supersedes_id != current:
        raise Conflict(
            f"Prediction {prediction_id} is already resolved (resolution {current}); "
            f"to correct it, send supersedes_id {current} and a rationale."
            if current is not None else
            f"Prediction {prediction_id} has no resolution to supersede."
        )
    if current is not None and not body.rationale:
        raise Conflict("A correction needs a rationale saying why.")
    _not_in_future(body.outcome_known_on, "outcome_known_on")
    row = Resolution(
        prediction_id=prediction_id, outcome=body.outcome,
        outcome_known_on=body.outcome_known_on, note=body.rationale,
        evidence=_evidence(body.evidence), supersedes_id=body.supersedes_id,
        recorded_by=body.recorded_by,
    )
    session.add(row)
    session.flush()
    prediction.outcome, prediction.outcome_known_on = body.outcome, body.outcome_known_on
    prediction.resolution_id = row.id
    _touch(prediction)
    refresh_forecast_summary(session, prediction)
    return resolution_read(row, row.id)


# ---- condition checks ------------------------------------------------------------------

def list_condition_checks(session: Session, prediction_id: int) -> list[s.ConditionCheckRead]:
    """Every finding on a prediction's condition, oldest first."""
    _prediction(session, prediction_id)
    rows = _history(session, ConditionCheck, ConditionCheck.prediction_id, prediction_id)
    return [s.ConditionCheckRead.model_validate(r.model_dump()) for r in rows]


def check_condition(
    session: Session, prediction_id: int, body: s.ConditionCheckCreate
) -> s.ConditionCheckRead:
    """Record whether the condition held; `not_met` makes the prediction void."""
    with rollups.track(session, prediction_id):
        return _check_condition(session, prediction_id, body)


def _check_condition(
    session: Session, prediction_id: int, body: s.ConditionCheckCreate
) -> s.ConditionCheckRead:
    prediction = _prediction(session, prediction_id)
    if prediction.condition is None:
        raise Conflict(f"Prediction {prediction_id} has no condition.")
    _not_in_future(body.checked_on, "checked_on")
    row = ConditionCheck(
        prediction_id=prediction_id, status=body.status, checked_on=body.checked_on,
        note=body.note, evidence=_evidence(body.evidence), recorded_by=body.recorded_by,
    )
    session.add(row)
    prediction.condition_status = body.status
    _touch(prediction)
    session.flush()
    return s.ConditionCheckRead.model_validate(row.model_dump())


# ---- recommendation status -------------------------------------------------------------

def list_status_changes(session: Session, recommendation_id: int) -> list[s.StatusChangeRead]:
    """Every status change of a recommendation, oldest first."""
    _recommendation(session, recommendation_id)
    rows = _history(session, StatusChange, StatusChange.recommendation_id, recommendation_id)
    return [s.StatusChangeRead.model_validate(r.model_dump()) for r in rows]


def _recommendation(session: Session, recommendation_id: int) -> Recommendation:
    row = session.get(Recommendation, recommendation_id)
    if row is None:
        raise NotFound(f"No recommendation with id {recommendation_id}.")
    return row


def change_status(
    session: Session, recommendation_id: int, body: s.StatusChangeCreate
) -> s.StatusChangeRead:
    """Move a recommendation to a new status, dated, with evidence."""
    rec = _recommendation(session, recommendation_id)
    if body.status == rec.status:
        raise Conflict(f"Recommendation {recommendation_id} is already {rec.status}.")
    _not_in_future(body.changed_on, "changed_on")
    last = session.scalar(
        select(col(StatusChange.changed_on))
        .where(col(StatusChange.recommendation_id) == recommendation_id)
        .order_by(col(StatusChange.id).desc()).limit(1)
    )
    if last is not None and body.changed_on < last:
        raise Conflict(f"changed_on ({body.changed_on}) is before the last change ({last}).")
    row = StatusChange(
        recommendation_id=recommendation_id, status=body.status, changed_on=body.changed_on,
        note=body.note, evidence=_evidence(body.evidence), recorded_by=body.recorded_by,
    )
    session.add(row)
    rec.status = body.status
    _touch(rec)
    session.flush()
    return s.StatusChangeRead.model_validate(row.model_dump())


# ---- forecasts -------------------------------------------------------------------------

def list_forecasts(session: Session, prediction_id: int) -> list[s.ForecastRead]:
    """Every forecast on a prediction, by time made."""
    _prediction(session, prediction_id)
    rows = session.scalars(
        select(Forecast).where(col(Forecast.prediction_id) == prediction_id)
        .order_by(col(Forecast.made_at), col(Forecast.id))
    ).all()
    return [s.ForecastRead.model_validate(r.model_dump()) for r in rows]


def add_forecast(session: Session, prediction_id: int, body: s.ForecastCreate) -> s.ForecastRead:
    """Add a forecaster's probability; it ends that forecaster's previous one."""
    with rollups.track(session, prediction_id):
        return _add_forecast(session, prediction_id, body)


def _add_forecast(session: Session, prediction_id: int, body: s.ForecastCreate) -> s.ForecastRead:
    prediction = _prediction(session, prediction_id)
    if prediction.outcome is not None:
        raise Conflict(f"Prediction {prediction_id} is resolved; forecasts are closed.")
    if session.get(Analyst, body.forecaster_id) is None:
        raise Conflict(f"forecaster_id: no analyst with id {body.forecaster_id}.")
    made_at = body.made_at or utcnow()
    if made_at > utcnow():
        raise Conflict("made_at is in the future.")
    previous = _current_forecast(session, prediction_id, body.forecaster_id)
    if previous is not None and made_at <= previous.made_at:
        raise Conflict(
            f"made_at must be after the forecaster's current forecast ({previous.made_at})."
        )
    if previous is not None:
        previous.valid_to = made_at
    row = Forecast(prediction_id=prediction_id, forecaster_id=body.forecaster_id,
                   probability=body.probability, made_at=made_at, rationale=body.rationale)
    session.add(row)
    session.flush()
    refresh_forecast_summary(session, prediction)
    _touch(prediction)
    return s.ForecastRead.model_validate(row.model_dump())


def _current_forecast(session: Session, prediction_id: int, forecaster_id: int) -> Forecast | None:
    return session.scalar(
        select(Forecast).where(
            col(Forecast.prediction_id) == prediction_id,
            col(Forecast.forecaster_id) == forecaster_id,
            col(Forecast.valid_to).is_(None),
        )
    )


def sync_initial_forecast(session: Session, prediction: Prediction) -> None:
    """Keep the author's first forecast equal to the stated (or implied) probability."""
    probability = (
        prediction.probability if prediction.probability is not None
        else prediction.implied_probability
    )
    initial = session.scalar(select(Forecast).where(
        col(Forecast.prediction_id) == prediction.id, col(Forecast.kind) == "initial"))
    if probability is None:
        if initial is not None:
            session.delete(initial)
    elif initial is None:
        session.add(Forecast(
            prediction_id=prediction.id or 0, forecaster_id=prediction.analyst_id, kind="initial",
            probability=probability, made_at=prediction.created_at,
            valid_to=_first_update_time(session, prediction),
        ))
    else:
        initial.probability, initial.forecaster_id = probability, prediction.analyst_id
    session.flush()
    refresh_forecast_summary(session, prediction)


def _first_update_time(session: Session, prediction: Prediction) -> datetime | None:
    return session.scalar(
        select(col(Forecast.made_at)).where(
            col(Forecast.prediction_id) == prediction.id,
            col(Forecast.forecaster_id) == prediction.analyst_id,
        ).order_by(col(Forecast.made_at)).limit(1)
    )


_FORECASTS = (
    select(col(Forecast.forecaster_id), col(Forecast.probability), col(Forecast.made_at),
           col(Forecast.valid_to))
    .where(col(Forecast.prediction_id) == bindparam("prediction_id"))
    .order_by(col(Forecast.made_at))
)


def refresh_forecast_summary(session: Session, prediction: Prediction) -> None:
    """Recompute the community median and the author's time-averaged probability.

    The caller has flushed its forecasts: they are read on the session's connection with
    one statement built once (no autoflush, no ORM objects)."""
    rows = session.connection().execute(_FORECASTS, {"prediction_id": prediction.id}).all()
    current = [p for _, p, _, valid_to in rows if valid_to is None]
    prediction.community_probability = statistics.median(current) if current else None
    end = (
        datetime.combine(prediction.outcome_known_on, time(), tzinfo=UTC)
        if prediction.outcome_known_on else utcnow()
    )
    prediction.time_averaged_probability = time_average(
        [(made_at, p) for who, p, made_at, _ in rows if who == prediction.analyst_id], end
    )


def time_average(points: list[tuple[datetime, float]], end: datetime) -> float | None:
    """Mean probability over [first forecast, end], each held until the next replaced it."""
    if not points:
        return None
    total = weighted = 0.0
    for (start, p), nxt in zip(points, [*points[1:], (end, 0.0)], strict=True):
        span = max((min(nxt[0], end) - start).total_seconds(), 0.0)
        total += span
        weighted += span * p
    return round(weighted / total, 6) if total > 0 else points[0][1]
