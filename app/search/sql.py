"""Full-text matching as SQL that each engine renders in its own dialect."""

from typing import Any

from sqlalchemy import Boolean, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from app.search.query import SearchQuery, parse


class Matches(ColumnElement[bool]):
    """`<id column> IN (ids of the records of one type whose index row matches)`."""

    inherit_cache = False
    type = Boolean()

    def __init__(self, id_column: Any, doc_type: str, query: SearchQuery) -> None:
        self.id_column = id_column
        self.doc_type = doc_type
        self.query = query


def _params(element: Matches, compiler: Any, query: str, **kw: Any) -> tuple[str, str, str]:
    column = compiler.process(element.id_column, **kw)
    t = compiler.process(bindparam(None, element.doc_type, unique=True), **kw)
    q = compiler.process(bindparam(None, query, unique=True), **kw)
    return column, t, q


@compiles(Matches, "sqlite")
def _sqlite(element: Matches, compiler: Any, **kw: Any) -> str:
    column, t, q = _params(element, compiler, element.query.fts5(), **kw)
    return (f"{column} IN (SELECT record_id FROM search_document "
            f"WHERE search_document MATCH {q} AND doc_type = {t})")


@compiles(Matches, "postgresql")
def _postgresql(element: Matches, compiler: Any, **kw: Any) -> str:
    column, t, q = _params(element, compiler, element.query.tsquery(), **kw)
    return (f"{column} IN (SELECT record_id FROM search_document "
            f"WHERE doc_type = {t} AND tsv @@ to_tsquery('english', {q}))")


def where_matches(stmt: Any, id_column: Any, doc_type: str, text: str | None) -> Any:
    """Rows of a list whose record matches the search text `q` (when given)."""
    if text is None:
        return stmt
    return stmt.where(Matches(id_column, doc_type, parse(text)))
