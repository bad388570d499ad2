"""Annotations: notes on records or document spans, threads, tags, and JSON-LD."""

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import bindparam, delete, literal, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from app.anchoring import checked_span
from app.annotations import schemas as s
from app.errors import Conflict, NotFound
from app.models import (
    Analyst,
    Annotation,
    AnnotationTag,
    Document,
    Prediction,
    Recommendation,
    Report,
    Resolution,
)
from app.pagination import paginate_rows, parse_keyset, sort_key
from app.search import index as search_index
from app.search.sql import where_matches
from app.types import utcnow

TARGETS: dict[str, Any] = {
    "report": Report, "document": Document, "prediction": Prediction,
    "recommendation": Recommendation, "analyst": Analyst, "resolution": Resolution,
    "annotation": Annotation,
}
A: Any = Annotation


def _get(session: Session, annotation_id: int, *, lock: bool = False) -> Annotation:
    row = session.get(Annotation, annotation_id, with_for_update=lock or None)
    if row is None:
        raise NotFound(f"No annotation with id {annotation_id}.")
    return row


def _tags(session: Session, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(select(col(AnnotationTag.annotation_id), col(AnnotationTag.tag))
                           .where(col(AnnotationTag.annotation_id).in_(ids))
                           .order_by(col(AnnotationTag.tag)))
    for annotation_id, tag in rows:
        found[annotation_id].append(tag)
    return found


def to_read(row: Annotation, tags: list[str]) -> s.AnnotationRead:
    """The JSON shape of an annotation."""
    selector = None
    if row.selector_exact is not None:
        selector = s.SelectorRead(
            exact=row.selector_exact, start=row.selector_start or 0, end=row.selector_end or 0,
            prefix=row.selector_prefix or "", suffix=row.selector_suffix or "",
            status=row.anchor_status or "anchored")
    return s.AnnotationRead(
        id=row.id or 0, target=s.TargetRead(type=row.target_type, id=row.target_id,  # type: ignore[arg-type]
                                             selector=selector),
        reply_to_id=row.reply_to_id, body=row.body, format=row.body_format,  # type: ignore[arg-type]
        motivation=row.motivation, tags=tags, author=row.author,  # type: ignore[arg-type]
        created_at=row.created_at, modified_at=row.updated_at, version=row.version,
    )


def get(session: Session, annotation_id: int) -> s.AnnotationRead:
    """One annotation."""
    row = _get(session, annotation_id)
    return to_read(row, _tags(session, [annotation_id])[annotation_id])


_EXISTS = {name: select(literal(1)).where(model.id == bindparam("id"))
           for name, model in TARGETS.items()}


def _exists(session: Session, target_type: str, record_id: int) -> bool:
    """Whether the record exists: one primary-key probe, no ORM object loaded."""
    return session.connection().execute(_EXISTS[target_type], {"id": record_id}).first() \
        is not None


def _target(session: Session, body: s.AnnotationCreate) -> tuple[str, int, dict[str, Any]]:
    if (body.target is None) == (body.reply_to_id is None):
        raise Conflict("Give either a target or reply_to_id.")
    if body.reply_to_id is not None:
        if not _exists(session, "annotation", body.reply_to_id):
            raise Conflict(f"reply_to_id: no annotation with id {body.reply_to_id}.")
        return "annotation", body.reply_to_id, {}
    target = body.target
    assert target is not None
    if not _exists(session, target.type, target.id):
        raise Conflict(f"target: no {target.type} with id {target.id}.")
    if target.selector is None:
        return target.type, target.id, {}
    if target.type != "document":
        raise Conflict("A selector can only point into a document's text.")
    return target.type, target.id, _selector(session, target.id, target.selector)


def _selector(session: Session, document_id: int, sel: s.SelectorIn) -> dict[str, Any]:
    document = session.get(Document, document_id)
    assert document is not None
    span = checked_span(document.body, sel.exact, sel.start, sel.end, sel.prefix, sel.suffix,
                        "selector")
    return {"selector_exact": span.exact, "selector_start": span.start,
            "selector_end": span.end, "selector_prefix": span.prefix,
            "selector_suffix": span.suffix, "anchor_status": span.status}


def create(session: Session, body: s.AnnotationCreate, author: str) -> s.AnnotationRead:
    """Create an annotation on a record, a document span, or another annotation (a reply)."""
    target_type, target_id, selector = _target(session, body)
    motivation = body.motivation
    if body.reply_to_id is not None and "motivation" not in body.model_fields_set:
        motivation = "replying"
    row = Annotation(target_type=target_type, target_id=target_id, reply_to_id=body.reply_to_id,
                     body=body.body, body_format=body.format, motivation=motivation,
                     author=author, **selector)
    session.add(row)
    session.flush()
    tags = _set_tags(session, row, body.tags, new=True)
    search_index.upsert(session, "annotation", row)
    return to_read(row, tags)


def _set_tags(session: Session, row: Annotation, tags: list[str], *,
              new: bool = False) -> list[str]:
    """Replace the annotation's tags (a new one has none to remove)."""
    unique = sorted(dict.fromkeys(tags))
    if not new:
        session.execute(delete(AnnotationTag).where(col(AnnotationTag.annotation_id) == row.id))
    if unique:
        session.add_all(AnnotationTag(annotation_id=row.id or 0, tag=t) for t in unique)
        session.flush()
    return unique


Guard = Callable[[Annotation], None]


def _guarded(
    session: Session, annotation_id: int, guard: Guard
) -> tuple[Annotation, s.AnnotationRead]:
    row = _get(session, annotation_id, lock=True)
    guard(row)
    return row, to_read(row, _tags(session, [annotation_id])[annotation_id])


def update(
    session: Session, annotation_id: int, body: s.AnnotationUpdate, guard: Guard
) -> tuple[s.AnnotationRead, s.AnnotationRead]:
    """Change an annotation's body, format, motivation or tags; (before, after)."""
    row, before = _guarded(session, annotation_id, guard)
    changes = body.changes()
    for field, column in (("body", "body"), ("format", "body_format"),
                          ("motivation", "motivation")):
        if field in changes:
            setattr(row, column, changes[field])
    row.version += 1
    row.updated_at = utcnow()
    tags = (_set_tags(session, row, changes["tags"]) if "tags" in changes
            else _tags(session, [annotation_id])[annotation_id])
    session.flush()
    search_index.upsert(session, "annotation", row)
    return before, to_read(row, tags)


def remove(session: Session, annotation_id: int, guard: Guard) -> s.AnnotationRead:
    """Delete an annotation that has no replies; returns it as it was."""
    row, before = _guarded(session, annotation_id, guard)
    session.delete(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"Annotation {annotation_id} has replies; delete those first.") from exc
    search_index.remove(session, "annotation", annotation_id)
    return before


def _day_start(day: Any) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def list_page(
    session: Session, q: s.AnnotationQuery
) -> tuple[list[s.AnnotationRead], str | None, int | None]:
    """One keyset page of annotations matching the filters."""
    sorts = {"id": sort_key(A.id), "created_at": sort_key(A.created_at),
             "updated_at": sort_key(A.updated_at)}
    keyset = parse_keyset(q.sort, q.cursor, sorts, A.id)
    stmt = _filtered(select(Annotation), q)
    page_stmt = stmt.order_by(*keyset.order_by()).limit(q.limit + 1)
    if (cond := keyset.where()) is not None:
        page_stmt = page_stmt.where(cond)
    rows, next_cursor = paginate_rows(list(session.scalars(page_stmt)), q.limit, keyset)
    tags = _tags(session, [r.id for r in rows if r.id is not None])
    total = None
    if q.count:
        from sqlalchemy import func

        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return [to_read(r, tags[r.id or 0]) for r in rows], next_cursor, total


def _filtered(stmt: Any, q: s.AnnotationQuery) -> Any:
    for column, value in ((A.target_type, q.target_type), (A.target_id, q.target_id),
                          (A.author, q.author), (A.motivation, q.motivation),
                          (A.reply_to_id, q.reply_to)):
        if value is not None:
            stmt = stmt.where(column == value)
    if q.tag is not None:
        stmt = stmt.where(A.id.in_(select(col(AnnotationTag.annotation_id))
                                   .where(col(AnnotationTag.tag) == q.tag)))
    if q.created_after is not None:
        stmt = stmt.where(A.created_at >= _day_start(q.created_after))
    if q.created_before is not None:
        stmt = stmt.where(A.created_at < _day_start(q.created_before) + _ONE_DAY)
    return where_matches(stmt, A.id, "annotation", q.q)


_ONE_DAY = datetime(2000, 1, 2) - datetime(2000, 1, 1)
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
TARGET_PATHS = {"report": "reports", "document": "documents", "prediction": "predictions",
                "recommendation": "recommendations", "analyst": "analysts",
                "resolution": "resolutions", "annotation": "annotations"}


def _target_url(base: str, target: s.TargetRead) -> str:
    return f"{base}/v1/{TARGET_PATHS[target.type]}/{target.id}"


def to_jsonld(note: s.AnnotationRead, base: str, *, context: bool = True) -> dict[str, Any]:
    """A W3C Web Annotation document."""
    bodies: list[dict[str, Any]] = [{"type": "TextualBody", "value": note.body,
                                     "format": note.format, "purpose": note.motivation}]
    bodies += [{"type": "TextualBody", "value": t, "purpose": "tagging"} for t in note.tags]
    target: dict[str, Any] = {"source": _target_url(base, note.target)}
    if note.target.selector is not None:
        sel = note.target.selector
        target["selector"] = [
            {"type": "TextQuoteSelector", "exact": sel.exact, "prefix": sel.prefix,
             "suffix": sel.suffix},
            {"type": "TextPositionSelector", "start": sel.start, "end": sel.end},
        ]
    doc = {"id": f"{base}/v1/annotations/{note.id}", "type": "Annotation",
           "motivation": note.motivation, "created": note.created_at.isoformat(),
           "modified": note.modified_at.isoformat(),
           "creator": {"type": "Person", "name": note.author}, "body": bodies, "target": target}
    return {"@context": ANNO_CONTEXT, **doc} if context else doc


def page_jsonld(items: list[s.AnnotationRead], base: str, url: str,
                next_url: str | None) -> dict[str, Any]:
    """An AnnotationPage holding one page of annotations."""
    page = {"@context": ANNO_CONTEXT, "id": url, "type": "AnnotationPage",
            "items": [to_jsonld(i, base, context=False) for i in items]}
    return {**page, "next": next_url} if next_url else page
