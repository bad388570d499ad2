"""How organizations, analysts, actors and topics are stored and filtered."""

from typing import Any

from sqlalchemy import Select
from sqlmodel import col

from app.crud import Include, Resource
from app.directory import schemas as s
from app.filters import where_eq, where_ref
from app.models import Actor, Analyst, Organization, Prediction, Topic


def _filter_organizations(stmt: Select[Any], q: s.OrganizationQuery) -> Select[Any]:
    stmt = where_eq(stmt, Organization.kind, q.kind)
    return where_eq(stmt, Organization.country, q.country)


def _filter_analysts(stmt: Select[Any], q: s.AnalystQuery) -> Select[Any]:
    stmt = where_ref(stmt, Analyst.organization_id, Organization, q.organization)
    return where_eq(stmt, Analyst.kind, q.kind)


def _filter_actors(stmt: Select[Any], q: s.ActorQuery) -> Select[Any]:
    stmt = where_eq(stmt, Actor.kind, q.kind)
    return where_eq(stmt, Actor.country, q.country)


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
)

actors = Resource(
    model=Actor, singular="actor", plural="actors",
    read=s.ActorRead, create=s.ActorCreate, update=s.ActorUpdate,
    query=s.ActorQuery, filter=_filter_actors,
)

topics = Resource(
    model=Topic, singular="topic", plural="topics",
    read=s.TopicRead, create=s.TopicCreate, update=s.TopicUpdate, query=s.TopicQuery,
)
