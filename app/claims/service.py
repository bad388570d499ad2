"""How predictions and recommendations are stored, checked and filtered."""

from typing import Any

from sqlalchemy import Select, or_
from sqlmodel import Session

from app.claims import schemas as s
from app.claims.links import (
    prediction_actors,
    prediction_events,
    prediction_topics,
    recommendation_actors,
    recommendation_topics,
)
from app.claims.quotes import quote_columns
from app.claims.status import status_filter, today
from app.crud import Include, Resource
from app.directory.service import actors, analysts, organizations, topics
from app.errors import Conflict
from app.estimative import band_for_cue
from app.filters import analysts_of, published_between, ref_id, where_eq, where_linked, where_ref
from app.models import (
    Actor,
    Analyst,
    Event,
    Organization,
    Prediction,
    Recommendation,
    Report,
    Topic,
)
from app.models.base import RecordBase
from app.outcomes.service import sync_initial_forecast
from app.search.sql import where_matches
from app.sources.service import events, reports


def _estimate(data: dict[str, Any]) -> None:
    """Keep implied_probability and estimative_term in step with the cue."""
    if "cue" in data:
        band = band_for_cue(data["cue"])
        data["implied_probability"] = band.midpoint if band else None
        data["estimative_term"] = band.term if band else None


def _prepare_prediction(session: Session, data: dict[str, Any], row: RecordBase | None) -> None:
    quote_columns(session, data, "prediction")
    _estimate(data)
    if "condition" in data:
        had_condition = row is not None and row.condition is not None  # type: ignore[attr-defined]
        if data["condition"] is None:
            data["condition_status"] = None
        elif not had_condition:
            data["condition_status"] = "pending"


def _prepare_recommendation(
    session: Session, data: dict[str, Any], row: RecordBase | None
) -> None:
    quote_columns(session, data, "recommendation")
    analyst = data.get("analyst_id", getattr(row, "analyst_id", None))
    org = data.get("organization_id", getattr(row, "organization_id", None))
    if analyst is None and org is None:
        raise Conflict("A recommendation needs an analyst_id or an organization_id.")


def _filter_predictions(stmt: Select[Any], q: s.PredictionQuery) -> Select[Any]:
    p: Any = Prediction
    stmt = where_ref(stmt, p.analyst_id, Analyst, q.analyst)
    stmt = where_ref(stmt, p.report_id, Report, q.report)
    if q.organization is not None:
        stmt = stmt.where(p.analyst_id.in_(analysts_of(q.organization)))
    stmt = where_linked(stmt, p.id, prediction_actors, q.actor)
    stmt = where_linked(stmt, p.id, prediction_topics, q.topic)
    stmt = where_linked(stmt, p.id, prediction_events, q.event)
    if q.status is not None:
        stmt = stmt.where(status_filter(q.status, today()))
    if q.conditional is not None:
        stmt = stmt.where(p.condition.is_not(None) if q.conditional else p.condition.is_(None))
    if q.resolve_by_after is not None:
        stmt = stmt.where(p.resolve_by >= q.resolve_by_after)
    if q.resolve_by_before is not None:
        stmt = stmt.where(p.resolve_by <= q.resolve_by_before)
    stmt = where_matches(stmt, p.id, "prediction", q.q)
    return published_between(stmt, p.report_id, q.published_after, q.published_before)


predictions = Resource(
    model=Prediction, singular="prediction", plural="predictions",
    read=s.PredictionRead, create=s.PredictionCreate, update=s.PredictionUpdate,
    query=s.PredictionQuery, filter=_filter_predictions, prepare=_prepare_prediction,
    slug_source="statement", nullable_sorts=("resolve_by",),
    after_write=sync_initial_forecast,
    default_sort=lambda q: "resolve_by" if q.status == "due" else "id",
    score_scope=lambda i: i, scored_on_create=True,
    search_type="prediction",
    links={"actor_ids": prediction_actors, "topic_ids": prediction_topics,
           "event_ids": prediction_events},
    references={"report_id": Report, "analyst_id": Analyst, "actor_ids": Actor,
                "topic_ids": Topic, "event_ids": Event},
    includes={
        "analyst": Include(analysts, "analyst_id"), "report": Include(reports, "report_id"),
        "actors": Include(actors, "actor_ids"), "topics": Include(topics, "topic_ids"),
        "events": Include(events, "event_ids"),
    },
)


def _filter_recommendations(stmt: Select[Any], q: s.RecommendationQuery) -> Select[Any]:
    r: Any = Recommendation
    stmt = where_ref(stmt, r.analyst_id, Analyst, q.analyst)
    stmt = where_ref(stmt, r.report_id, Report, q.report)
    stmt = where_ref(stmt, r.addressee_id, Actor, q.addressee)
    if q.organization is not None:
        stmt = stmt.where(or_(
            r.organization_id == ref_id(Organization, q.organization),
            r.analyst_id.in_(analysts_of(q.organization)),
        ))
    stmt = where_linked(stmt, r.id, recommendation_actors, q.actor)
    stmt = where_linked(stmt, r.id, recommendation_topics, q.topic)
    stmt = where_eq(stmt, r.status, q.status)
    if q.issued_after is not None:
        stmt = stmt.where(r.issued_on >= q.issued_after)
    if q.issued_before is not None:
        stmt = stmt.where(r.issued_on <= q.issued_before)
    return where_matches(stmt, r.id, "recommendation", q.q)


recommendations = Resource(
    model=Recommendation, singular="recommendation", plural="recommendations",
    read=s.RecommendationRead, create=s.RecommendationCreate, update=s.RecommendationUpdate,
    query=s.RecommendationQuery, filter=_filter_recommendations,
    prepare=_prepare_recommendation, slug_source="statement", nullable_sorts=("issued_on",),
    search_type="recommendation",
    links={"actor_ids": recommendation_actors, "topic_ids": recommendation_topics},
    references={"report_id": Report, "analyst_id": Analyst, "organization_id": Organization,
                "addressee_id": Actor, "actor_ids": Actor, "topic_ids": Topic},
    includes={
        "analyst": Include(analysts, "analyst_id"),
        "organization": Include(organizations, "organization_id"),
        "report": Include(reports, "report_id"), "addressee": Include(actors, "addressee_id"),
        "actors": Include(actors, "actor_ids"), "topics": Include(topics, "topic_ids"),
    },
)
