"""Filter helpers shared by the list endpoints."""

from functools import cache
from typing import Any

from sqlalchemy import Select, select
from sqlmodel import col

from app.crud import Link
from app.models import Analyst, Organization, Report
from app.models.base import RecordBase


def ref_id(model: type[RecordBase], ref: str) -> Any:
    """An id, or a scalar subquery finding the id of the record with that slug."""
    if ref.isdigit():
        return int(ref)
    return select(col(model.id)).where(col(model.slug) == ref).scalar_subquery()


def where_ref(
    stmt: Select[Any], column: Any, model: type[RecordBase], ref: str | None
) -> Select[Any]:
    """`column = <id of ref>` when a ref was given."""
    return stmt if ref is None else stmt.where(column == ref_id(model, ref))


def where_linked(stmt: Select[Any], own_id: Any, link: Link, ref: str | None) -> Select[Any]:
    """Rows linked through a many-to-many table to the record `ref`.

    `id IN (ids linked to ref)` rather than a correlated EXISTS: SQLite then walks the
    link table's (other, own) index, in id order, instead of probing it for every row
    the other filters let through (a rare actor no longer scans the whole table)."""
    if ref is None:
        return stmt
    table = _filter_alias(link.table)
    linked = select(table.c[link.own]).where(table.c[link.other] == ref_id(link.target, ref))
    return stmt.where(own_id.in_(linked))


@cache
def _filter_alias(table: Any) -> Any:
    """The link table under a name of the filter's own, so it never correlates with a
    join of the same table outside (built once per table: statements are immutable)."""
    return table.alias(f"filter_{table.name}")


def where_eq(stmt: Select[Any], column: Any, value: Any) -> Select[Any]:
    """`column = value` when a value was given."""
    return stmt if value is None else stmt.where(column == value)


def published_between(stmt: Select[Any], report_id: Any, after: Any, before: Any) -> Select[Any]:
    """Rows whose report was published in [after, before] (either end may be open)."""
    if after is None and before is None:
        return stmt
    matching = select(col(Report.id))
    if after is not None:
        matching = matching.where(Report.published_on >= after)
    if before is not None:
        matching = matching.where(Report.published_on <= before)
    return stmt.where(report_id.in_(matching))


def analysts_of(ref: str) -> Any:
    """Subquery: ids of the analysts of an organization (id or slug)."""
    return select(col(Analyst.id)).where(Analyst.organization_id == ref_id(Organization, ref))
