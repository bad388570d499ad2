"""How documents, reports and events are stored and filtered."""

import hashlib
from typing import Any

from sqlalchemy import Select, select
from sqlmodel import Session, col

from app.anchoring import Span, reanchor
from app.crud import Include, Link, Resource
from app.directory.service import actors, analysts, organizations, topics
from app.errors import Conflict
from app.filters import where_eq, where_linked, where_ref
from app.models import (
    Actor,
    Analyst,
    Annotation,
    Document,
    Event,
    Organization,
    Prediction,
    Recommendation,
    Report,
    ReportAuthor,
    ReportDocument,
    Topic,
    event_actor,
    event_topic,
)
from app.models.base import RecordBase
from app.search import index as search_index
from app.search.sql import where_matches
from app.sources import schemas as s
from app.types import utcnow


def sha256_hex(text: str) -> str:
    """SHA-256 of a text's UTF-8 bytes, as hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _prepare_document(session: Session, data: dict[str, Any], row: RecordBase | None) -> None:
    if "body" not in data:
        return
    data["sha256"] = sha256_hex(data["body"])
    if row is not None and data["body"] != row.body:  # type: ignore[attr-defined]
        reanchor_document(session, row.id, data["body"])  # type: ignore[arg-type]


def reanchor_document(session: Session, document_id: int, new_body: str) -> None:
    """Move every quote and span annotation on a document to where its text now stands."""
    for doc_type, model in (("prediction", Prediction), ("recommendation", Recommendation)):
        for claim in session.scalars(select(model).where(
                col(model.quote_document_id) == document_id)):
            _move_span(claim, new_body, "quote_", "quote_status")
            search_index.upsert(session, doc_type, claim)
    for note in session.scalars(select(Annotation).where(
            col(Annotation.target_type) == "document", col(Annotation.target_id) == document_id,
            col(Annotation.selector_exact).is_not(None))):
        _move_span(note, new_body, "selector_", "anchor_status")


SPAN_FIELDS = ("exact", "start", "end", "prefix", "suffix")


def _move_span(row: Any, new_body: str, prefix: str, status_field: str) -> None:
    """Re-anchor the span stored in `<prefix>exact`, `<prefix>start` … of a row."""
    def text(name: str) -> str:
        return str(getattr(row, prefix + name) or "")

    old = Span(text("exact"), int(getattr(row, prefix + "start") or 0),
               int(getattr(row, prefix + "end") or 0), text("prefix"), text("suffix"))
    span = reanchor(new_body, old)
    for f in SPAN_FIELDS:
        setattr(row, prefix + f, getattr(span, f))
    setattr(row, status_field, span.status)
    row.version += 1
    row.updated_at = utcnow()


def _filter_documents(stmt: Select[Any], q: s.DocumentQuery) -> Select[Any]:
    stmt = where_ref(stmt, Document.outlet_id, Organization, q.outlet)
    stmt = where_matches(stmt, col(Document.id), "document", q.q)
    stmt = where_eq(stmt, Document.language, q.language)
    return where_eq(stmt, Document.sha256, q.sha256)


documents = Resource(
    model=Document, singular="document", plural="documents",
    read=s.DocumentRead, create=s.DocumentCreate, update=s.DocumentUpdate, query=s.DocumentQuery,
    filter=_filter_documents, prepare=_prepare_document, slug_source="title",
    search_type="document",
    nullable_sorts=("published_on",),
    references={"outlet_id": Organization},
    includes={"outlet": Include(organizations, "outlet_id")},
)

report_authors = Link(ReportAuthor.__table__, "report_id", "analyst_id", Analyst,  # type: ignore[attr-defined]
                      order_by="position")
report_documents = Link(ReportDocument.__table__, "report_id", "document_id", Document)  # type: ignore[attr-defined]


def _filter_reports(stmt: Select[Any], q: s.ReportQuery) -> Select[Any]:
    stmt = where_ref(stmt, Report.publisher_id, Organization, q.organization)
    stmt = where_linked(stmt, Report.id, report_authors, q.analyst)
    if q.published_after:
        stmt = stmt.where(col(Report.published_on) >= q.published_after)
    if q.published_before:
        stmt = stmt.where(col(Report.published_on) <= q.published_before)
    return where_matches(stmt, col(Report.id), "report", q.q)


reports = Resource(
    model=Report, singular="report", plural="reports",
    read=s.ReportRead, create=s.ReportCreate, update=s.ReportUpdate, query=s.ReportQuery,
    filter=_filter_reports, slug_source="title", nullable_sorts=("published_on",),
    search_type="report",
    links={"author_ids": report_authors, "document_ids": report_documents},
    references={"publisher_id": Organization, "author_ids": Analyst, "document_ids": Document},
    includes={
        "publisher": Include(organizations, "publisher_id"),
        "authors": Include(analysts, "author_ids"),
        "documents": Include(documents, "document_ids"),
    },
)

event_actors = Link(event_actor, "event_id", "actor_id", Actor)
event_topics = Link(event_topic, "event_id", "topic_id", Topic)


def _prepare_event(session: Session, data: dict[str, Any], row: RecordBase | None) -> None:
    starts = data.get("starts_on", getattr(row, "starts_on", None))
    ends = data.get("ends_on", getattr(row, "ends_on", None))
    if starts and ends and ends < starts:
        raise Conflict(f"ends_on ({ends}) would fall before starts_on ({starts}).")


def _filter_events(stmt: Select[Any], q: s.EventQuery) -> Select[Any]:
    stmt = where_linked(stmt, Event.id, event_actors, q.actor)
    stmt = where_linked(stmt, Event.id, event_topics, q.topic)
    if q.starts_after:
        stmt = stmt.where(col(Event.starts_on) >= q.starts_after)
    if q.starts_before:
        stmt = stmt.where(col(Event.starts_on) <= q.starts_before)
    return stmt


events = Resource(
    model=Event, singular="event", plural="events",
    read=s.EventRead, create=s.EventCreate, update=s.EventUpdate, query=s.EventQuery,
    filter=_filter_events, prepare=_prepare_event, nullable_sorts=("starts_on",),
    links={"actor_ids": event_actors, "topic_ids": event_topics},
    references={"actor_ids": Actor, "topic_ids": Topic},
    includes={"actors": Include(actors, "actor_ids"), "topics": Include(topics, "topic_ids")},
)
