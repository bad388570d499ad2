"""Ranked search across every kind of record, with highlighted snippets and keyset pages."""

import base64
import binascii
import html
from typing import Any

import orjson
from sqlalchemy import text
from sqlmodel import Session

from app.errors import BadRequest
from app.search.index import TYPES
from app.search.query import SearchQuery, parse

START, STOP = "\x01", "\x02"


def _decode(cursor: str) -> tuple[float, int]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        score, k = data["s"], data["k"]
        if not isinstance(score, int | float) or isinstance(score, bool) or not isinstance(k, int):
            raise ValueError("bad cursor")
        return float(score), k
    except (ValueError, KeyError, TypeError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise BadRequest(
            "Malformed cursor: pass back the next_cursor of the previous page."
        ) from exc


def _encode(score: float, k: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"s": score, "k": k})).decode().rstrip("=")


def _highlight(snippet: str | None) -> str:
    """Escape the text, then turn the engine's markers into <mark> tags."""
    escaped = html.escape(snippet or "", quote=False)
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")


def _sql(dialect: str, types: list[str], after: bool) -> str:
    type_filter = "AND doc_type IN (" + ", ".join(f":t{i}" for i in range(len(types))) + ")"
    if dialect == "sqlite":
        inner = (
            "SELECT rowid AS k, doc_type, record_id, title, "
            "bm25(search_document, 0, 0, 10.0, 1.0) AS score, "
            f"snippet(search_document, 3, '{START}', '{STOP}', '…', 20) AS snippet "
            f"FROM search_document WHERE search_document MATCH :q {type_filter}"
        )
    else:
        inner = (
            "SELECT key AS k, doc_type, record_id, title, "
            "-CAST(ts_rank_cd(tsv, to_tsquery('english', :q)) AS double precision) AS score, "
            "ts_headline('english', body, to_tsquery('english', :q), "
            f"'StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=10, MaxFragments=2') "
            "AS snippet FROM search_document "
            f"WHERE tsv @@ to_tsquery('english', :q) {type_filter}"
        )
    where = "WHERE score > :s OR (score = :s AND k > :k)" if after else ""
    return f"SELECT * FROM ({inner}) AS hits {where} ORDER BY score, k LIMIT :limit"


def search(
    session: Session, q: str, types: list[str], limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of hits, best first; the cursor of the next page."""
    parsed: SearchQuery = parse(q)
    dialect = session.get_bind().dialect.name
    wanted = types or list(TYPES)
    params: dict[str, Any] = {
        "q": parsed.fts5() if dialect == "sqlite" else parsed.tsquery(),
        "limit": limit + 1, **{f"t{i}": t for i, t in enumerate(wanted)},
    }
    if cursor is not None:
        params["s"], params["k"] = _decode(cursor)
    rows = session.execute(text(_sql(dialect, wanted, cursor is not None)), params).all()
    hits = [
        {"type": r.doc_type, "id": r.record_id, "title": r.title, "score": -float(r.score),
         "snippet": _highlight(r.snippet)}
        for r in rows[:limit]
    ]
    more = len(rows) > limit
    next_cursor = _encode(float(rows[limit - 1].score), rows[limit - 1].k) if more else None
    return hits, next_cursor
