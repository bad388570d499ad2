"""How organizations, analysts, actors and topics are stored and filtered."""

from typing import Any

from sqlalchemy import Select
from sqlmodel import Session, col

from app.crud import Include, Resource
from app.directory import schemas as s
from app.filters import where_eq, where_ref
from app.models import Actor, Analyst, Organization, Prediction, Topic
from app.search import index as search_index
from app.search.sql import where_matches


def _filter_organizations(stmt: Select[Any], q: s.OrganizationQuery) -> Select[Any]:
    stmt = where_eq(stmt, Organization.kind, q.kind)
    return where_eq(stmt, Organization.country, q.country)


def _filter_analysts(stmt: Select[Any], q: s.AnalystQuery) -> Select[Any]:
    stmt = where_ref(stmt, Analyst.organization_id, Organization, q.organization)
    stmt = where_matches(stmt, col(Analyst.id), "analyst", q.q)
    return where_eq(stmt, Analyst.kind, q.kind)


def _filter_actors(stmt: Select[Any], q: s.ActorQuery) -> Select[Any]:
    stmt = where_eq(stmt, Actor.kind, q.kind)
    stmt = where_matches(stmt, col(Actor.id), "actor", q.q)
    return where_eq(stmt, Actor.country, q.country)


def _reindex_claims_of_analyst(session: Session, row: Analyst) -> None:
    search_index.reindex_claims_of(session, "analyst_id", row.id)  # type: ignore[arg-type]


def _reindex_claims_of_actor(session: Session, row: Actor) -> None:
    search_index.reindex_claims_of_actor(session, row.id)  # type: ignore[arg-type]


organizations = Resource(
    model=Organization, singular="organization", plural="organizations",
    read=s.OrganizationRead, create=s.OrganizationCreate, update=s.OrganizationUpdate,
    query=s.OrganizationQuery, filter=_filter_organizations,
)

analysts = Resource(
    model=Analyst, singular="analyst", plural="analysts",
    read=s.AnalystRead, create=s.AnalystCreate, update=s.AnalystUpdate,
    query=s.AnalystQuery, filter=_filter_analysts,
    references={"organization_id": Organization},
    includes={"organization": Include(organizations, "organization_id")},
    # moving an analyst to another organization moves their predictions' scores with them
    score_scope=lambda i: col(Prediction.analyst_id) == i,
    search_type="analyst", after_write=_reindex_claims_of_analyst,
)

actors = Resource(
    model=Actor, singular="actor", plural="actors",
    read=s.ActorRead, create=s.ActorCreate, update=s.ActorUpdate,
    query=s.ActorQuery, filter=_filter_actors,
    search_type="actor", after_write=_reindex_claims_of_actor,
)

topics = Resource(
    model=Topic, singular="topic", plural="topics",
    read=s.TopicRead, create=s.TopicCreate, update=s.TopicUpdate, query=s.TopicQuery,
)
