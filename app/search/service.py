"""Ranked search across every kind of record, with highlighted snippets and keyset pages.

A word found in most records would make the engine rank every one of them (BM25 or
ts_rank_cd over hundreds of thousands of rows) to show twenty. So matches are ranked in
windows of at most WINDOW records, newest first: the first page ranks the WINDOW newest
matching records (highest ids), and paging on past them moves to the next WINDOW older ones.
A query with fewer matches than that — most queries — is ranked as a whole. Snippets
are made for the rows of the page only.
"""

import base64
import binascii
import html
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import text
from sqlmodel import Session

from app.errors import BadRequest
from app.search.index import TYPES
from app.search.query import SearchQuery, parse

START, STOP = "\x01", "\x02"
WINDOW = 5_000


@dataclass(frozen=True)
class Window:
    """Index keys lo <= k < hi (hi None: no upper bound) ranked together."""

    lo: int
    hi: int | None


@dataclass(frozen=True)
class Position:
    """Where a page ends: the window and the last (score, key) shown in it."""

    window: Window
    score: float
    k: int


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _decode(cursor: str) -> Position:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        score, k = data["s"], data["k"]
        lo, hi = data.get("lo", 0), data.get("hi")
        if (not isinstance(score, int | float) or isinstance(score, bool) or not _int(k)
                or not _int(lo) or not (hi is None or _int(hi))):
            raise ValueError("bad cursor")
        return Position(Window(lo, hi), float(score), k)
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error,
            orjson.JSONDecodeError) as exc:
        raise BadRequest(
            "Malformed cursor: pass back the next_cursor of the previous page."
        ) from exc


def _encode(position: Position) -> str:
    raw = orjson.dumps({"s": position.score, "k": position.k,
                        "lo": position.window.lo, "hi": position.window.hi})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _highlight(snippet: str | None) -> str:
    """Escape the text, then turn the engine's markers into <mark> tags."""
    escaped = html.escape(snippet or "", quote=False)
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")


class _Engine:
    """The SQL of one engine: matching keys, ranking in a window, and snippets."""

    def __init__(self, dialect: str, parsed: SearchQuery, types: list[str]) -> None:
        self.sqlite = dialect == "sqlite"
        q = parsed.fts5() if self.sqlite else parsed.tsquery()
        # PostgreSQL finds the newest matches of a phrase only by checking the positions
        # of row after row along the key index; it ranks phrase queries as a whole.
        self.windowed = self.sqlite or all(len(t.words) == 1 for t in parsed.terms)
        self.k = "rowid" if self.sqlite else "key"
        self.match = ("search_document MATCH :q" if self.sqlite
                      else "tsv @@ to_tsquery('english', :q)")
        codes = sorted(TYPES[t] for t in types)
        # The type is the key's low three bits, so filtering by it reads no row.
        self.types = ("" if len(codes) == len(TYPES)
                      else f" AND {self.k} % 8 IN ({', '.join(map(str, codes))})")
        self.params: dict[str, Any] = {"q": q}

    def _bounds(self, window: Window) -> str:
        upper = f" AND {self.k} < :hi" if window.hi is not None else ""
        return f" AND {self.k} >= :lo{upper}"

    def window_below(self, session: Session, hi: int | None) -> Window:
        """The next window: the WINDOW newest matches with keys below hi."""
        if not self.windowed:
            return Window(0, hi)
        upper = f" AND {self.k} < :hi" if hi is not None else ""
        floor = session.execute(text(
            f"SELECT {self.k} FROM search_document WHERE {self.match}{self.types}{upper} "
            f"ORDER BY {self.k} DESC LIMIT 1 OFFSET {WINDOW - 1}"),
            {**self.params, "hi": hi}).scalar()
        return Window(0 if floor is None else int(floor), hi)

    def ranked(self, session: Session, window: Window, after: Position | None,
               limit: int) -> list[Any]:
        """Up to `limit` (key, score) rows of the window, best first, after a position."""
        if self.sqlite:
            score = "bm25(search_document, 0, 0, 10.0, 1.0)"
        else:
            score = "-CAST(ts_rank_cd(tsv, to_tsquery('english', :q)) AS double precision)"
        inner = (f"SELECT {self.k} AS k, {score} AS score FROM search_document "
                 f"WHERE {self.match}{self.types}{self._bounds(window)}")
        where = " WHERE score > :s OR (score = :s AND k > :k)" if after else ""
        params = {**self.params, "lo": window.lo, "hi": window.hi, "limit": limit}
        if after:
            params.update(s=after.score, k=after.k)
        return list(session.execute(text(
            f"SELECT k, score FROM ({inner}) AS hits{where} ORDER BY score, k LIMIT :limit"),
            params).all())

    def details(self, session: Session, keys: list[int]) -> dict[int, Any]:
        """Type, id, title and highlighted snippet of the page's rows."""
        if not keys:
            return {}
        listed = ", ".join(str(k) for k in keys)
        if self.sqlite:
            sql = ("SELECT rowid AS k, doc_type, record_id, title, "
                   f"snippet(search_document, 3, '{START}', '{STOP}', '…', 20) AS snippet "
                   f"FROM search_document WHERE {self.match} AND rowid IN ({listed})")
        else:
            sql = ("SELECT key AS k, doc_type, record_id, title, "
                   "ts_headline('english', body, to_tsquery('english', :q), "
                   f"'StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=10, "
                   f"MaxFragments=2') AS snippet FROM search_document WHERE key IN ({listed})")
        return {r.k: r for r in session.execute(text(sql), self.params)}


def search(
    session: Session, q: str, types: list[str], limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of hits, best first; the cursor of the next page."""
    parsed = parse(q)
    dialect = session.get_bind().dialect.name
    engine = _Engine(dialect, parsed, types or list(TYPES))
    after = _decode(cursor) if cursor is not None else None
    window = after.window if after else engine.window_below(session, None)
    found: list[Position] = []
    while True:
        rows = engine.ranked(session, window, after, limit + 1 - len(found))
        found += [Position(window, float(r.score), int(r.k)) for r in rows]
        if len(found) > limit or window.lo == 0:
            break
        window, after = engine.window_below(session, window.lo), None
    page = found[:limit]
    details = engine.details(session, [p.k for p in page])
    hits = [
        {"type": d.doc_type, "id": d.record_id, "title": d.title, "score": -p.score,
         "snippet": _highlight(d.snippet)}
        for p in page if (d := details.get(p.k)) is not None
    ]
    return hits, _encode(page[-1]) if len(found) > limit else None
