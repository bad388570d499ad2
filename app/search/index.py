"""The full-text index: one row per searchable record, kept in step in the same transaction.

SQLite keeps it in an FTS5 table, PostgreSQL in a table with a weighted tsvector and a
GIN index (see the migration). A row's key is record_id * 8 + a code for its type, so
either engine updates or drops one row by key.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, text
from sqlmodel import Session, col

from app.models import (
    Actor,
    Analyst,
    Annotation,
    AnnotationTag,
    Document,
    Organization,
    Prediction,
    Recommendation,
    Report,
    Topic,
    prediction_actor,
    recommendation_actor,
)

TYPES = {"report": 1, "document": 2, "prediction": 3, "recommendation": 4, "annotation": 5,
         "analyst": 6, "actor": 7}


def key(doc_type: str, record_id: int) -> int:
    """The index row key of a record."""
    return record_id * 8 + TYPES[doc_type]


def _join(*parts: Any) -> str:
    return "\n".join(str(p) for p in parts if p)


def _actor_words(session: Session, actor_ids: Iterable[int]) -> list[str]:
    rows = session.execute(select(col(Actor.name), col(Actor.aliases))
                           .where(col(Actor.id).in_(list(actor_ids)))).all()
    return [w for name, aliases in rows for w in (name, *aliases)]


def _names(session: Session, model: Any, ids: Iterable[Any]) -> list[str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return []
    return list(session.scalars(select(model.name).where(model.id.in_(wanted))))


def compose(session: Session, doc_type: str, row: Any) -> tuple[str, str]:
    """The (title, body) a record is found by (a claim's actors and topics from the ids on
    its row)."""
    if doc_type == "prediction":
        return row.statement, _join(
            row.quote_exact, row.cue, row.condition, row.resolution_criteria,
            *_names(session, Analyst, [row.analyst_id]), *_actor_words(session, row.actor_ids),
            *_names(session, Topic, row.topic_ids))
    if doc_type == "recommendation":
        actors = [*row.actor_ids, *([row.addressee_id] if row.addressee_id else [])]
        return row.statement, _join(
            row.quote_exact, row.cue, *_names(session, Analyst, [row.analyst_id]),
            *_names(session, Organization, [row.organization_id]),
            *_actor_words(session, actors), *_names(session, Topic, row.topic_ids))
    if doc_type == "report":
        return row.title, _join(row.summary, row.published_wording,
                                *_names(session, Organization, [row.publisher_id]))
    if doc_type == "document":
        return row.title, row.body
    if doc_type == "annotation":
        tags = session.scalars(select(col(AnnotationTag.tag))
                               .where(col(AnnotationTag.annotation_id) == row.id))
        return " ".join(tags), _join(row.body, row.selector_exact)
    if doc_type == "analyst":
        return row.name, _join(row.title, *_names(session, Organization, [row.organization_id]))
    return row.name, _join(*row.aliases)


def upsert(session: Session, doc_type: str, row: Any) -> None:
    """(Re)index one record."""
    title, body = compose(session, doc_type, row)
    remove(session, doc_type, row.id)
    connection = session.connection()
    connection.execute(_INSERT[connection.dialect.name == "sqlite"],
                       {"k": key(doc_type, row.id), "t": doc_type, "i": row.id,
                        "title": title or "", "body": body or ""})


def remove(session: Session, doc_type: str, record_id: int) -> None:
    """Drop one record from the index."""
    connection = session.connection()
    connection.execute(_REMOVE[connection.dialect.name == "sqlite"],
                       {"k": key(doc_type, record_id)})


# Built once, by whether the engine is SQLite (whose FTS5 table keys rows by rowid).
_INSERT = {sqlite: text(f"INSERT INTO search_document ({'rowid' if sqlite else 'key'}, "
                        "doc_type, record_id, title, body) VALUES (:k, :t, :i, :title, :body)")
           for sqlite in (True, False)}
_REMOVE = {sqlite: text(f"DELETE FROM search_document WHERE {'rowid' if sqlite else 'key'} = :k")
           for sqlite in (True, False)}


MODELS: dict[str, Any] = {
    "report": Report, "document": Document, "prediction": Prediction,
    "recommendation": Recommendation, "annotation": Annotation, "analyst": Analyst,
    "actor": Actor,
}


def reindex_claims_of_actor(session: Session, actor_id: int) -> None:
    """An actor's names changed: reindex the predictions and recommendations about it."""
    for doc_type, table, own in (("prediction", prediction_actor, "prediction_id"),
                                 ("recommendation", recommendation_actor, "recommendation_id")):
        ids = session.scalars(select(table.c[own]).where(table.c.actor_id == actor_id)).all()
        for row in session.scalars(select(MODELS[doc_type]).where(MODELS[doc_type].id.in_(ids))):
            upsert(session, doc_type, row)


def reindex_claims_of(session: Session, column: str, value: int) -> None:
    """Reindex the predictions and recommendations whose `column` is `value`."""
    for doc_type in ("prediction", "recommendation"):
        model = MODELS[doc_type]
        for row in session.scalars(select(model).where(getattr(model, column) == value)):
            upsert(session, doc_type, row)


def rebuild(session: Session) -> int:
    """Index every searchable record from scratch; returns the number of rows."""
    session.execute(text("DELETE FROM search_document"))
    count = 0
    for doc_type, model in MODELS.items():
        for row in session.scalars(select(model).order_by(model.id)).yield_per(1000):
            upsert(session, doc_type, row)
            count += 1
    return count


def is_stale(session: Session) -> bool:
    """True when records exist but the index is empty (e.g. right after the migration)."""
    indexed = session.execute(text("SELECT 1 FROM search_document LIMIT 1")).first()
    return indexed is None and session.scalar(select(col(Prediction.id)).limit(1)) is not None
