"""Generic record service: list (keyset), get, create, update, delete, with links and includes.

Each domain describes its records with a `Resource`; the functions here do the work the
same way for all of them, so every list paginates, filters and includes alike and no
page costs more than a fixed number of queries.
"""

import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, get_args

from pydantic import BaseModel, TypeAdapter
from sqlalchemy import Row, Select, Table, func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from app.errors import Conflict, NotFound
from app.models.base import RecordBase
from app.pagination import Keyset, paginate_rows, parse_keyset, sort_key
from app.schemas import ListQuery
from app.scoring import rollups
from app.search import index as search_index
from app.types import utcnow


@dataclass(frozen=True)
class Link:
    """A many-to-many link shown as a list of ids (`actor_ids`) on the record."""

    table: Table
    own: str
    other: str
    target: type[RecordBase]
    order_by: str | None = None


@dataclass(frozen=True)
class Include:
    """A related record (or records) embedded in the response when `include=` names it."""

    target: "Resource"
    via: str


@dataclass
class Resource:
    """How one record type is stored, read, written and listed."""

    model: type[RecordBase]
    singular: str
    plural: str
    read: type[BaseModel]
    create: type[BaseModel]
    update: type[BaseModel]
    query: type[ListQuery]
    nullable_sorts: tuple[str, ...] = ()
    links: dict[str, Link] = field(default_factory=dict)
    references: dict[str, type[RecordBase]] = field(default_factory=dict)
    includes: dict[str, Include] = field(default_factory=dict)
    filter: Callable[[Select[Any], Any], Select[Any]] = lambda stmt, _q: stmt
    prepare: Callable[[Session, dict[str, Any], RecordBase | None], None] = (
        lambda _s, _d, _o: None
    )
    slug_source: str = "name"
    after_write: Callable[[Session, Any], None] = lambda _s, _row: None
    default_sort: Callable[[Any], str] = lambda _q: "id"
    # The predictions whose scores a change to this record can move (see scoring.rollups):
    # a condition on predictions, or one prediction's id.
    score_scope: Callable[[int], Any] | None = None
    scored_on_create: bool = False
    search_type: str | None = None  # indexed for full-text search under this type

    def __post_init__(self) -> None:
        columns = self.model.__table__.columns  # type: ignore[attr-defined]
        if missing := [name for name in self.links if name not in columns]:
            raise TypeError(f"{self.model.__name__} keeps no column for its links {missing}"
                            " (models.base.linked_ids)")

    def sort_keys(self) -> dict[str, Any]:
        """The sortable columns, as the query model's `sort` parameter lists them (worked
        out once: every list request asks)."""
        found: dict[str, Any] | None = self.__dict__.get("_sort_keys")
        if found is None:
            names = [s for s in get_args(self.query.model_fields["sort"].annotation)
                     if s[0] != "-"]
            found = self.__dict__["_sort_keys"] = {
                name: sort_key(getattr(self.model, name), nullable=name in self.nullable_sorts)
                for name in names
            }
        return found


# ---- reading ---------------------------------------------------------------------------

def get_row(
    session: Session, resource: Resource, record_id: int, *, lock: bool = False
) -> RecordBase:
    """The stored row, or 404; `lock` holds it for this transaction (PostgreSQL)."""
    row = session.get(resource.model, record_id, with_for_update=lock or None)
    if row is None:
        raise NotFound(f"No {resource.singular} with id {record_id}.")
    return row


def read_row(session: Session, resource: Resource, record_id: int) -> Any:
    """The stored row's columns (no ORM object: reads only), or 404."""
    model = resource.model
    rows = _rows(session, select(model).where(col(model.id) == record_id), resource)
    if not rows:
        raise NotFound(f"No {resource.singular} with id {record_id}.")
    return rows[0]


def row_columns(stmt: Any, resource: "Resource") -> Any:
    """A select(model) narrowed to the table's columns, its link ids among them (kept on
    the row: see `linked_ids`)."""
    return stmt.with_only_columns(*resource.model.__table__.columns)  # type: ignore[attr-defined]


def _rows(session: Session, stmt: Any, resource: "Resource") -> list[Any]:
    """The columns of a select(model)'s rows, link ids included, without building ORM
    objects: the statement runs on the session's connection, past the ORM's execution
    layer (it sees what the session has flushed)."""
    connection = session.connection()
    return list(connection.execute(row_columns(stmt, resource)).all())


_ROW_SELECTS: dict[str, Any] = {}


def row_select(resource: "Resource") -> Any:
    """`row_columns(select(model))`, built once: filters only add conditions, so a page's
    statement can start from it (the fast path's pages do)."""
    found = _ROW_SELECTS.get(resource.plural)
    if found is None:
        found = _ROW_SELECTS[resource.plural] = row_columns(select(resource.model), resource)
    return found


def page_query(resource: Resource, q: ListQuery, sort: str,
               start: Any = None) -> tuple[Any, Any, Keyset]:
    """The filtered statement, the statement of one page of it (limit + 1 rows, from the
    cursor on, in keyset order) and the parsed keyset; `start` is the statement to filter
    (select(model) unless given)."""
    model = resource.model
    keyset: Keyset = parse_keyset(sort, q.cursor, resource.sort_keys(), col(model.id))
    base = resource.filter(select(model) if start is None else start, q)
    stmt = base.order_by(*keyset.order_by()).limit(q.limit + 1)
    if (cond := keyset.where()) is not None:
        stmt = stmt.where(cond)
    return base, stmt, keyset


def list_page(
    session: Session, resource: Resource, q: ListQuery, *, sort: str, include: Sequence[str]
) -> tuple[list[BaseModel], str | None, int | None]:
    """One page of records matching the filters, in keyset order."""
    base, stmt, keyset = page_query(resource, q, sort)
    rows = _rows(session, stmt, resource)
    page, next_cursor = paginate_rows(rows, q.limit, keyset)
    total = None
    if q.count:
        total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    return hydrate(session, resource, page, include), next_cursor, total


def hydrate(
    session: Session, resource: Resource, rows: Sequence[RecordBase], include: Iterable[str] = ()
) -> list[BaseModel]:
    """Build response objects for rows (link ids are among their columns), with each
    include in one query."""
    if not rows:
        return []
    extra: dict[int, dict[str, Any]] = {r.id: {} for r in rows if r.id is not None}
    for name in dict.fromkeys(include):
        _embed(session, resource, rows, extra, name)
    values = [{**_columns(r), **extra[r.id]} for r in rows]  # type: ignore[index]
    if len(values) == 1:
        return [resource.read.model_validate(values[0])]
    return _list_of(resource.read).validate_python(values)


_LIST_ADAPTERS: dict[type[BaseModel], TypeAdapter[list[Any]]] = {}


def _list_of(model: type[BaseModel]) -> TypeAdapter[list[Any]]:
    """One validator for a whole page of a read model (built once per model)."""
    adapter = _LIST_ADAPTERS.get(model)
    if adapter is None:
        adapter = _LIST_ADAPTERS[model] = TypeAdapter(list[model])  # type: ignore[valid-type]
    return adapter


def _columns(row: Any) -> dict[str, Any]:
    if isinstance(row, Row):
        return row._asdict()
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}


def _embed(
    session: Session,
    resource: Resource,
    rows: Sequence[RecordBase],
    extra: dict[int, dict[str, Any]],
    name: str,
) -> None:
    inc = resource.includes[name]
    if inc.via in resource.links:
        wanted = {i for r in rows for i in getattr(r, inc.via)}
    else:
        wanted = {getattr(r, inc.via) for r in rows} - {None}
    target = inc.target
    found = _rows(session, select(target.model).where(col(target.model.id).in_(wanted)), target)
    by_id = {t.id: t for t in hydrate(session, target, found)}  # type: ignore[attr-defined]
    for r in rows:
        e = extra[r.id]  # type: ignore[index]
        if inc.via in resource.links:
            e[name] = [by_id[i] for i in getattr(r, inc.via) if i in by_id]
        else:
            e[name] = by_id.get(getattr(r, inc.via))


# ---- writing ---------------------------------------------------------------------------

def create(session: Session, resource: Resource, body: BaseModel) -> BaseModel:
    """Insert a record (and its links) after checking references and uniqueness."""
    data = body.model_dump()
    links = {k: data.pop(k) for k in list(data) if k in resource.links}
    _check_references(session, resource, {**data, **links})
    data.update(_stored_links(resource, links))
    resource.prepare(session, data, None)
    data["slug"] = data.get("slug") or _free_slug(session, resource, data)
    _check_slug_free(session, resource, data["slug"], None)
    row = resource.model(**data)
    session.add(row)
    _flush(session, resource)
    _replace_links(session, resource, row, links)
    resource.after_write(session, row)
    _index(session, resource, row)
    if resource.scored_on_create and resource.score_scope is not None:
        rollups.add(session, resource.score_scope(row.id))  # type: ignore[arg-type]
    return hydrate(session, resource, [row])[0]


def _scores_of(session: Session, resource: Resource, record_id: int) -> Any:
    """Keep score rollups in step with a change to this record (a no-op for most records)."""
    if resource.score_scope is None:
        return nullcontext()
    return rollups.track(session, resource.score_scope(record_id))


def update(session: Session, resource: Resource, record_id: int, body: BaseModel) -> BaseModel:
    """Apply the fields a PATCH sent; bump the version."""
    with _scores_of(session, resource, record_id):
        return _update(session, resource, record_id, body)


def _update(session: Session, resource: Resource, record_id: int, body: BaseModel) -> BaseModel:
    row = get_row(session, resource, record_id)
    data = body.changes()  # type: ignore[attr-defined]
    links = {k: data.pop(k) for k in list(data) if k in resource.links}
    _check_references(session, resource, {**data, **links})
    data.update(_stored_links(resource, links))
    resource.prepare(session, data, row)
    if "slug" in data:
        _check_slug_free(session, resource, data["slug"], row.id)
    for key, value in data.items():
        setattr(row, key, value)
    row.version += 1
    row.updated_at = utcnow()
    session.add(row)
    _flush(session, resource)
    _replace_links(session, resource, row, links)
    resource.after_write(session, row)
    _index(session, resource, row)
    return hydrate(session, resource, [row])[0]


def _index(session: Session, resource: Resource, row: RecordBase) -> None:
    if resource.search_type is not None:
        search_index.upsert(session, resource.search_type, row)


def delete(session: Session, resource: Resource, record_id: int) -> None:
    """Delete a record that nothing else refers to (409 otherwise)."""
    row = get_row(session, resource, record_id)
    with _scores_of(session, resource, record_id):
        session.delete(row)
        try:
            session.flush()
        except IntegrityError as exc:
            raise Conflict(
                f"{resource.singular.capitalize()} {record_id} is still referred to by other "
                "records; remove those references first."
            ) from exc
        if resource.search_type is not None:
            search_index.remove(session, resource.search_type, record_id)


def _flush(session: Session, resource: Resource) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"The {resource.singular} conflicts with existing records.") from exc


def _check_references(session: Session, resource: Resource, data: dict[str, Any]) -> None:
    for name, value in data.items():
        target = resource.references.get(name)
        if target is None or value is None:
            continue
        wanted = set(value) if isinstance(value, list) else {value}
        found = set(session.scalars(select(col(target.id)).where(col(target.id).in_(wanted))))
        if missing := sorted(wanted - found):
            ids = ", ".join(map(str, missing))
            raise Conflict(f"{name}: no {target.__tablename__} with id {ids}.")


def stored_ids(link: Link, ids: Iterable[int]) -> list[int]:
    """The ids as the link table gives them back: in the given order where the link keeps
    one (`order_by`), else ascending; without repeats."""
    unique = list(dict.fromkeys(ids))
    return unique if link.order_by else sorted(unique)


def _stored_links(resource: Resource, links: dict[str, list[int]]) -> dict[str, list[int]]:
    """The row's own copy of each link written (`linked_ids`), set with its other columns."""
    return {name: stored_ids(resource.links[name], ids) for name, ids in links.items()}


def _replace_links(
    session: Session, resource: Resource, row: RecordBase, links: dict[str, list[int]]
) -> None:
    """The link tables' rows for the links written (the row holds their ids already)."""
    for name, ids in links.items():
        link = resource.links[name]
        table = link.table
        session.execute(table.delete().where(table.c[link.own] == row.id))
        values = [
            {link.own: row.id, link.other: other, **({link.order_by: n} if link.order_by else {})}
            for n, other in enumerate(dict.fromkeys(ids))
        ]
        if values:
            session.execute(table.insert(), values)


def _check_slug_free(session: Session, resource: Resource, slug: str, own_id: int | None) -> None:
    model = resource.model
    taken = session.scalar(select(col(model.id)).where(col(model.slug) == slug))
    if taken is not None and taken != own_id:
        raise Conflict(f"The slug {slug!r} is already used by {resource.singular} {taken}.")


def slugify(text: str, max_length: int = 60) -> str:
    """A lowercase, hyphenated ASCII slug of a text."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "record"


def _free_slug(session: Session, resource: Resource, data: dict[str, Any]) -> str:
    base = slugify(str(data.get(resource.slug_source) or resource.singular))
    slug = base
    model = resource.model
    while session.scalar(select(col(model.id)).where(col(model.slug) == slug)):
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug
