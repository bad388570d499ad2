"""The hot reads, answered without FastAPI's routing and dependency injection.

Getting one record by id and listing records with plain filters are most of what a
dashboard asks for. FastAPI spends about a millisecond of CPU per request matching the
route, solving dependencies and validating query parameters before any SQL runs; this
ASGI layer answers those requests itself, with the same services, the same response
models and the same bytes:

- `GET /v1/<records>/<id>` with no query string: one prepared statement reads the row (its
  link ids are kept on it), the record's read model validates and serializes it, and the
  ETag goes with it.
- `GET /v1/<records>?...` with scalar filters, sort, limit and cursor: the list's own query
  model validates the parameters and `crud.page_query` builds the page's statement, the
  very one the usual path runs. Each shape of statement is compiled once; a page then
  costs one execution on a DBAPI cursor, and its rows go to JSON without building the
  read models (`RowWriter`: the read model's fields, in its order, with its own
  `from_columns` derivations; a test holds the bytes equal to the model's own JSON).

Anything else goes on to FastAPI unchanged, and so does every request the fast path is
unsure of: a key in `Authorization`, reads that need a key (PUBLIC_READ=false), a rate
limit reached, a repeated or unknown parameter, full-text `q=`, `include=`, a value the
query model refuses, a record that does not exist, any service error. FastAPI then
answers exactly as it always does (its 404, 422 or 429 problem document). A test holds
the two paths to the same status, headers and body for many requests, on both engines.
"""

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, get_args, get_origin
from urllib.parse import parse_qsl

import orjson
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL
from starlette.types import ASGIApp, Receive, Scope, Send

from app.claims.status import today
from app.crud import Resource, list_page, page_query, row_select
from app.db import fetch_raw
from app.errors import AppError
from app.pagination import Keyset, Page
from app.schemas import MAX_ID
from app.trust.etags import etag_of

log = logging.getLogger("app.fastpath")

_ITEM = re.compile(r"^/v1/([a-z-]+)/([1-9][0-9]{0,18})$")
_LIST = re.compile(r"^/v1/([a-z-]+)$")
_JSON = b"application/json"


@dataclass
class _ItemReader:
    """The prepared statement that reads one record."""

    sql: str
    positional: bool
    columns: list[Any]
    processors: list[Any] | None = None

    def read(self, engine: Engine, record_id: int) -> dict[str, Any] | None:
        params: Any = (record_id,) if self.positional else {"id": record_id}
        rows, description = fetch_raw(engine, self.sql, params)
        if self.processors is None:
            self.processors = _processors(engine, self.columns, description)
        if not rows:
            return None
        return {c.key: (p(v) if p else v)
                for c, p, v in zip(self.columns, self.processors, rows[0], strict=True)}


def _processors(engine: Engine, columns: list[Any], description: Any) -> list[Any]:
    dialect = engine.dialect
    return [c.type.dialect_impl(dialect).result_processor(dialect, d[1])
            for c, d in zip(columns, description, strict=False)]


def item_reader(engine: Engine, resource: Resource) -> _ItemReader:
    """Build the one-statement read of a record's columns."""
    dialect = engine.dialect
    q = dialect.identifier_preparer.quote
    table = resource.model.__table__  # type: ignore[attr-defined]
    columns = list(table.columns)
    parts = [f"t.{q(c.name)}" for c in columns]
    positional = dialect.paramstyle in ("qmark", "numeric", "format")
    mark = "?" if dialect.paramstyle == "qmark" else "%s" if positional else "%(id)s"
    sql = f"SELECT {', '.join(parts)} FROM {q(table.name)} AS t WHERE t.id = {mark}"
    return _ItemReader(sql, positional, columns)


# Distinct statement shapes kept prepared per list (a shape is the set of filters given,
# the sort and whether a cursor is; values are bound). Beyond this, pages still work,
# compiled each time.
MAX_SHAPES = 256


class RowWriter:
    """A read model's JSON straight from a row's columns, without building the model.

    The fields come in the model's order; a field that is a column or a link takes the
    row's value, one the model derives comes from its `from_columns`, and the rest
    (the related records of `include=`) take their defaults. orjson writes what
    pydantic-core writes for these types (UTC timestamps with a `Z`).

    The row's dict is laid out in the model's order from the start (derived fields hold
    a place, which `from_columns` fills; the columns it consumes come last), so a row
    costs one dict; should `from_columns` leave another order, the fields are picked
    again in the model's."""

    def __init__(self, model: type[BaseModel], source: list[str]) -> None:
        self.derive = getattr(model, "from_columns", None)
        fields = model.model_fields
        self.names = tuple(fields)
        self.pick = _picker(self.names)
        self.defaults: dict[str, Any] = {}
        self.nested: list[tuple[str, tuple[str, ...], Any]] = []
        derived = set()
        constants: list[Any] = []
        where: dict[str, int] = {name: i for i, name in enumerate(source)}
        for name, info in fields.items():
            if name not in where:
                if info.is_required():
                    derived.add(name)
                    constants.append(None)  # a place for from_columns to fill
                else:
                    self.defaults[name] = info.get_default(call_default_factory=True)
                    constants.append(self.defaults[name])
                where[name] = len(source) + len(constants) - 1
            inner = _model_of(info.annotation)
            if inner is not None:
                order = tuple(inner.model_fields)
                self.nested.append((name, order, _picker(order)))
        if derived and self.derive is None:
            raise TypeError(f"{model.__name__} derives {sorted(derived)} without from_columns")
        self.layout = (*self.names, *(n for n in source if n not in fields))
        self.gather = _picker(tuple(where[n] for n in self.layout))
        self.constants = constants

    def values(self, row: list[Any], on: Any) -> dict[str, Any]:
        """The model's fields of one row: the source's values, in its order (the list is
        consumed)."""
        row += self.constants
        out = dict(zip(self.layout, self.gather(row), strict=True))
        if self.derive is not None:
            out = self.derive(out, on)
        if len(out) != len(self.names) or tuple(out) != self.names:
            out = dict(zip(self.names, self.pick({**self.defaults, **out}), strict=True))
        for name, order, pick in self.nested:
            inner = out[name]
            if isinstance(inner, dict) and tuple(inner) != order:
                out[name] = dict(zip(order, pick(inner), strict=True))
        return out


def _picker(names: tuple[Any, ...]) -> Any:
    """A function taking a dict (or list) to the tuple of its values under these names (or
    at these places), in order."""
    if len(names) == 1:
        only = names[0]
        return lambda d: (d[only],)
    return itemgetter(*names)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model inside `Model` or `Model | None`, if any."""
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


@dataclass
class _Prepared:
    """One compiled shape of a list's statement, and how to bind its values."""

    compiled: Any
    sql: str
    positional: list[str] | None
    binds: list[tuple[str, Any]]

    def parameters(self, bindparams: Any) -> Any:
        values = self.compiled.construct_params(extracted_parameters=bindparams)
        for name, process in self.binds:
            values[name] = process(values[name])
        if self.positional is None:
            return values
        return tuple(values[name] for name in self.positional)


@dataclass
class _ListReader:
    """A list's pages: the usual statement, prepared once per shape, run on a cursor."""

    engine: Engine
    resource: Resource
    plans: dict[Any, _Prepared | None] = field(default_factory=dict)
    processors: list[tuple[int, Any]] | None = None

    def __post_init__(self) -> None:
        table = self.resource.model.__table__  # type: ignore[attr-defined]
        self.columns = list(table.columns)
        self.names = [c.key for c in self.columns]
        self.writer = RowWriter(self.resource.read, self.names)

    def page(self, q: Any, sort: str) -> tuple[dict[str, Any], str | None] | None:
        """The page's JSON-ready values and next cursor, or None for the usual path."""
        start = row_select(self.resource)
        _base, stmt, keyset = page_query(self.resource, q, sort, start)
        key = stmt._generate_cache_key()
        if key is None:
            return None
        if key.key in self.plans:
            plan = self.plans[key.key]
        else:
            plan = _prepare(stmt, key, self.engine)
            if len(self.plans) < MAX_SHAPES:
                self.plans[key.key] = plan
        if plan is None:
            return None
        rows = self._fetch(plan, plan.parameters(key.bindparams))
        return self._page(rows, q.limit, keyset)

    def _fetch(self, plan: _Prepared, params: Any) -> Sequence[Any]:
        rows, description = fetch_raw(self.engine, plan.sql, params)
        if self.processors is None:
            # Link ids come as JSON text from SQLite, which goes into the page as it is
            # (StoredIds writes it compact, as orjson would), and as lists from
            # PostgreSQL (psycopg decodes jsonb).
            processors = _processors(self.engine, self.columns, description)
            if self.engine.dialect.name == "sqlite":
                processors = [orjson.Fragment if c.key in self.resource.links else p
                              for c, p in zip(self.columns, processors, strict=True)]
            self.processors = [(i, p) for i, p in enumerate(processors) if p is not None]
        return rows

    def _page(self, rows: Sequence[Any], limit: int,
              keyset: Keyset) -> tuple[dict[str, Any], str | None]:
        processors, writer, on = self.processors or [], self.writer, today()
        items = []
        for row in rows[:limit]:
            values = list(row)
            for i, process in processors:
                values[i] = process(values[i])
            items.append(values)
        next_cursor = None
        if len(rows) > limit and items:
            last = items[-1]
            sort_at = self.names.index(keyset.key.column.key)
            next_cursor = keyset.cursor_for(last[sort_at], last[self.names.index("id")])
        page = {"items": [writer.values(values, on) for values in items],
                "next_cursor": next_cursor, "total": None}
        return page, next_cursor


def _prepare(stmt: Any, key: Any, engine: Engine) -> _Prepared | None:
    """Compile one shape of statement; None when it cannot be reused as it is (an IN
    list rendered at each execution)."""
    dialect = engine.dialect
    compiled = stmt.compile(dialect=dialect, cache_key=key)
    if (compiled.post_compile_params or compiled.literal_execute_params
            or compiled.escaped_bind_names):
        return None  # escaped names would not match positiontup's: compiled each time
    binds = []
    for bind, name in compiled.bind_names.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            binds.append((name, process))
    positional = list(compiled.positiontup) if compiled.positional else None
    return _Prepared(compiled, compiled.string, positional, binds)


class FastReads:
    """ASGI middleware: answers hot reads itself and hands everything else on."""

    def __init__(self, app: ASGIApp, resources: dict[str, Resource]) -> None:
        self.app = app
        self.resources = resources
        self.readers: dict[str, _ItemReader] = {}
        self.lists: dict[str, _ListReader] = {}
        self.scalars = {name: _scalar_fields(r.query) for name, r in resources.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and self._eligible(scope):
            try:
                answer = await self._answer(scope)
            except (AppError, ValidationError):
                answer = None  # FastAPI renders the error the usual way
            except Exception:  # pragma: no cover - logged, then the usual path answers
                log.exception("fast path failed for %s; answering the usual way",
                              scope["path"])
                answer = None
            if answer is not None:
                body, headers = answer
                await send({"type": "http.response.start", "status": 200,
                            "headers": [*headers, (b"content-length", str(len(body)).encode()),
                                        (b"content-type", _JSON)]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    def _eligible(self, scope: Scope) -> bool:
        """Anonymous, public, within the rate limit; nothing the usual path must see."""
        state = scope["app"].state
        if not state.settings.public_read:
            return False
        for name, _value in scope["headers"]:
            if name == b"authorization":
                return False
        client = scope.get("client")
        wait: float = state.rate_limiter.wait_needed(f"addr:{client[0] if client else '-'}")
        return wait == 0

    async def _answer(self, scope: Scope) -> tuple[bytes, list[tuple[bytes, bytes]]] | None:
        path: str = scope["path"]
        query: bytes = scope["query_string"]
        if not query and (m := _ITEM.match(path)):
            resource = self.resources.get(m.group(1))
            record_id = int(m.group(2))
            if resource is None or record_id > MAX_ID:
                return None
            return self._item(scope, resource, record_id)
        if m := _LIST.match(path):
            resource = self.resources.get(m.group(1))
            if resource is None:
                return None
            # A page is a few milliseconds of SQLite work: on the event loop, which costs
            # least (bench/: 328 requests/s and p99 118 ms, against 275 and 274 in the
            # thread pool). PostgreSQL's page waits on the network: in the thread pool, so
            # the event loop serves every other connection meanwhile.
            if scope["app"].state.engines.read.dialect.name == "sqlite":
                return self._list(scope, resource, query)
            return await run_in_threadpool(self._list, scope, resource, query)
        return None

    def _item(self, scope: Scope, resource: Resource,
              record_id: int) -> tuple[bytes, list[tuple[bytes, bytes]]] | None:
        engine: Engine = scope["app"].state.engines.loop
        reader = self.readers.get(resource.plural)
        if reader is None:
            reader = self.readers[resource.plural] = item_reader(engine, resource)
        values = reader.read(engine, record_id)
        if values is None:
            return None  # the usual path answers 404
        item = resource.read.model_validate(values)
        return (item.__pydantic_serializer__.to_json(item),
                [(b"etag", etag_of(item).encode())])

    def _list(self, scope: Scope, resource: Resource,
              query: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]] | None:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        params = dict(pairs)
        allowed = self.scalars[resource.plural]
        if len(params) != len(pairs) or not params.keys() <= allowed:
            return None
        q = resource.query.model_validate(params)
        sort = q.sort if "sort" in params else resource.default_sort(q)  # type: ignore[attr-defined]
        engine: Engine = scope["app"].state.engines.loop  # PostgreSQL: the reader, in a thread
        answer = None
        if not q.count:  # a count is a second statement: in one transaction, the usual way
            reader = self.lists.get(resource.plural)
            if reader is None:
                reader = self.lists[resource.plural] = _ListReader(engine, resource)
            answer = reader.page(q, sort)
        if answer is not None:
            values, next_cursor = answer
            body = orjson.dumps(values, option=orjson.OPT_UTC_Z)
        else:
            with Session(engine, expire_on_commit=False) as session:
                items, next_cursor, total = list_page(session, resource, q, sort=sort,
                                                      include=[])
            page = Page[resource.read](items=items, next_cursor=next_cursor, total=total)  # type: ignore[name-defined]
            body = page.__pydantic_serializer__.to_json(page)
        headers = []
        if next_cursor is not None:
            url = URL(scope=scope).include_query_params(cursor=next_cursor)
            headers.append((b"link", f'<{url}>; rel="next"'.encode("latin-1")))
        return body, headers


def _scalar_fields(query: type[BaseModel]) -> set[str]:
    """The query parameters the fast path takes: single values, no full-text `q`."""
    return {name for name, f in query.model_fields.items()
            if name != "q" and get_origin(f.annotation) is not list}

