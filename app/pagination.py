"""Keyset (cursor) pagination: opaque cursors, `next_cursor` and an RFC 8288 Link header."""

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import orjson
from fastapi import Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.types import TypeDecorator

from app.errors import BadRequest

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list, with the cursor for the next one."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; null on the last page."
    )
    total: int | None = Field(
        default=None, description="Number of matching records; only when `count=true`."
    )


@dataclass(frozen=True)
class SortKey:
    """A column a list can be sorted by, and how its cursor value is read back."""

    column: InstrumentedAttribute[Any]
    parse: Callable[[str], Any]
    nullable: bool = False


def sort_key(column: InstrumentedAttribute[Any], *, nullable: bool = False) -> SortKey:
    """A SortKey whose parser follows the column's Python type."""
    col_type = column.property.columns[0].type
    py: Any = (col_type.impl if isinstance(col_type, TypeDecorator) else col_type).python_type
    parsers: dict[type, Callable[[str], Any]] = {
        int: int, date: date.fromisoformat, datetime: _aware, str: str,
    }
    return SortKey(column, parsers.get(py, str), nullable)


def _aware(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("timestamp without timezone")
    return value


@dataclass(frozen=True)
class Keyset:
    """A parsed `sort` and `cursor`: what to order by and where the page starts."""

    name: str
    descending: bool
    key: SortKey
    id_column: InstrumentedAttribute[Any]
    after: tuple[Any, int] | None

    def order_by(self) -> list[UnaryExpression[Any]]:
        col, ident = self.key.column, self.id_column
        if self.descending:
            return [col.desc().nulls_last(), ident.desc()] if col is not ident else [ident.desc()]
        return [col.asc().nulls_last(), ident.asc()] if col is not ident else [ident.asc()]

    def where(self) -> ColumnElement[bool] | None:
        if self.after is None:
            return None
        value, last_id = self.after
        col, ident = self.key.column, self.id_column
        beyond = (lambda c, v: c < v) if self.descending else (lambda c, v: c > v)
        if col is ident:
            return beyond(ident, last_id)
        if value is None:
            return and_(col.is_(None), beyond(ident, last_id))
        cond = or_(beyond(col, value), and_(col == value, beyond(ident, last_id)))
        return or_(cond, col.is_(None)) if self.key.nullable else cond

    def cursor_for(self, row_value: Any, row_id: int) -> str:
        raw = orjson.dumps({"s": self.sort_param, "v": _encode(row_value), "i": row_id})
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @property
    def sort_param(self) -> str:
        return f"-{self.name}" if self.descending else self.name


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def parse_keyset(
    sort: str, cursor: str | None, sorts: dict[str, SortKey], id_column: Any
) -> Keyset:
    """Validate `sort` against the whitelist and decode `cursor` (malformed -> 400)."""
    name = sort.removeprefix("-")
    if name not in sorts:
        raise BadRequest(f"Cannot sort by {name!r}; choose one of: {', '.join(sorts)}.")
    descending, key = sort.startswith("-"), sorts[name]
    after = _decode_cursor(cursor, sort, key) if cursor is not None else None
    return Keyset(name, descending, key, id_column, after)


def _decode_cursor(cursor: str, sort: str, key: SortKey) -> tuple[Any, int]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(data, dict) or data.get("s") != sort:
            raise ValueError("cursor belongs to another sort order")
        last_id, raw = data["i"], data["v"]
        if not isinstance(last_id, int) or isinstance(last_id, bool):
            raise ValueError("bad id")
        if raw is None and not key.nullable:
            raise ValueError("missing value")
        if (raw is not None and not isinstance(raw, str | int)) or isinstance(raw, bool):
            raise ValueError("bad value")
        return (key.parse(raw) if isinstance(raw, str) else raw), last_id
    except (ValueError, KeyError, TypeError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise BadRequest("Malformed cursor: pass back the next_cursor of the previous page, "
                         "with the same sort.") from exc


def paginate_rows(rows: Sequence[Any], limit: int, keyset: Keyset) -> tuple[list[Any], str | None]:
    """Split the limit+1 rows a query returned into a page and the next cursor."""
    page = list(rows[:limit])
    if len(rows) <= limit or not page:
        return page, None
    last = page[-1]
    value = getattr(last, keyset.key.column.key)
    return page, keyset.cursor_for(value, last.id)


def set_link_header(request: Request, response: Response, next_cursor: str | None) -> None:
    """Add `Link: <...>; rel="next"` pointing at the next page, when there is one."""
    if next_cursor is None:
        return
    url = request.url.include_query_params(cursor=next_cursor)
    response.headers["Link"] = f'<{url}>; rel="next"'
