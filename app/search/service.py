"""Ranked search across every kind of record, with highlighted snippets and keyset pages.

A word found in most records would make the engine rank every one of them (BM25 or
ts_rank_cd over hundreds of thousands of rows) to show twenty. So matches are ranked in
windows, newest first: the first page ranks the matches among the WINDOW newest records
holding every word of the query (highest keys), and paging on past them moves to the
next older window. Finding those records needs no word positions, so a phrase, an
exclusion or a prefix costs no more than its words; when a window holds too few matches
to fill the page (a rare phrase of common words), the next one is GROWTH times larger.
A query whose words are in fewer than WINDOW records — most queries — is ranked as a
whole. Snippets are made for the rows of the page only.
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
GROWTH = 4


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
    """The SQL of one engine: windows of matching keys, ranking in a window, and snippets."""

    def __init__(self, session: Session, parsed: SearchQuery, types: list[str]) -> None:
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        loose = parsed.loose()
        self.params: dict[str, Any] = (
            {"q": parsed.fts5(), "loose": loose.fts5()} if self.sqlite
            else {"q": parsed.tsquery(), "loose": loose.tsquery()})
        # Snippets of a prefix query are made in one pass over the page's key range:
        # SQLite would expand the prefix over the whole index once per key looked up.
        self.prefix = parsed.has_prefix
        self.k = "rowid" if self.sqlite else "key"
        codes = sorted(TYPES[t] for t in types)
        # The type is the key's low three bits, so filtering by it reads no row.
        self.types = ("" if len(codes) == len(TYPES)
                      else f" AND {self.k} % 8 IN ({', '.join(map(str, codes))})")
        # On PostgreSQL, a query whose words are all stop words (`the -dog`) has no
        # lexeme to walk by, while its exclusion alone matches every record without
        # "dog": such a query is walked by itself.
        if not self.sqlite and not session.execute(
                text("SELECT numnode(to_tsquery('english', :loose))"), self.params).scalar():
            self.params["loose"] = self.params["q"]

    def _bounds(self, window: Window) -> str:
        upper = f" AND {self.k} < :hi" if window.hi is not None else ""
        return f" AND {self.k} >= :lo{upper}"

    @staticmethod
    def _after(after: Position | None, params: dict[str, Any]) -> str:
        if after is None:
            return ""
        params.update(s=after.score, k=after.k)
        return " WHERE score > :s OR (score = :s AND k > :k)"

    def fresh(self, session: Session, hi: int | None, size: int,
              limit: int) -> tuple[Window, list[Any]]:
        """The window of the `size` newest records below `hi` holding every word, and up
        to `limit` of its (key, score) matches, best first."""
        if self.sqlite:
            upper = " AND rowid < :hi" if hi is not None else ""
            floor = session.execute(text(
                f"SELECT rowid FROM search_document WHERE search_document MATCH :loose"
                f"{self.types}{upper} ORDER BY rowid DESC LIMIT 1 OFFSET :skip"),
                {**self.params, "hi": hi, "skip": size - 1}).scalar()
            window = Window(0 if floor is None else int(floor), hi)
            return window, self.within(session, window, None, limit)
        # PostgreSQL walks the window once, keeping each record's tsvector to rank from,
        # and reports how far it went on a last row whose score is NULL.
        upper = " AND key < :hi" if hi is not None else ""
        params = {**self.params, "hi": hi, "size": size, "limit": limit}
        rows = session.execute(text(
            f"{self._walk_pg(upper + ' ORDER BY key DESC LIMIT :size')} "
            f"({self._ranked_pg()} ORDER BY score, k LIMIT :limit) "
            "UNION ALL SELECT min(key), NULL, count(*) FROM w"), params).all()
        walked = next(r for r in rows if r.score is None)
        window = Window(int(walked.k) if walked.n == size else 0, hi)
        return window, sorted((r for r in rows if r.score is not None),
                              key=lambda r: (r.score, r.k))

    def _walk_pg(self, bounds: str) -> str:
        """The records of a window that hold every word, with their tsvectors, as `w`."""
        return ("WITH w AS MATERIALIZED (SELECT key, tsv FROM search_document "
                f"WHERE tsv @@ to_tsquery('english', :loose){self.types}{bounds})")

    @staticmethod
    def _ranked_pg(where: str = "") -> str:
        return ("SELECT k, score, 0 AS n FROM (SELECT key AS k, "
                "-CAST(ts_rank_cd(tsv, to_tsquery('english', :q)) AS double precision) AS score "
                f"FROM w WHERE tsv @@ to_tsquery('english', :q)) AS hits{where}")

    def within(self, session: Session, window: Window, after: Position | None,
               limit: int) -> list[Any]:
        """Up to `limit` (key, score) rows of the window, best first, after a position."""
        params = {**self.params, "lo": window.lo, "hi": window.hi, "limit": limit}
        where = self._after(after, params)
        if self.sqlite:
            sql = ("SELECT k, score FROM (SELECT rowid AS k, "
                   "bm25(search_document, 0, 0, 10.0, 1.0) AS score FROM search_document "
                   f"WHERE search_document MATCH :q{self.types}{self._bounds(window)}) AS hits"
                   f"{where} ORDER BY score, k LIMIT :limit")
        else:
            sql = (f"{self._walk_pg(self._bounds(window))} {self._ranked_pg(where)} "
                   "ORDER BY score, k LIMIT :limit")
        return list(session.execute(text(sql), params).all())

    def details(self, session: Session, keys: list[int]) -> dict[int, Any]:
        """Type, id, title and highlighted snippet of the page's rows."""
        if not keys:
            return {}
        listed = ", ".join(str(k) for k in keys)
        if self.sqlite:
            where = (f"rowid BETWEEN {min(keys)} AND {max(keys)} AND +rowid IN ({listed})"
                     if self.prefix else f"rowid IN ({listed})")
            sql = ("SELECT rowid AS k, doc_type, record_id, title, "
                   f"snippet(search_document, 3, '{START}', '{STOP}', '…', 20) AS snippet "
                   f"FROM search_document WHERE search_document MATCH :q AND {where}")
        else:
            sql = ("SELECT key AS k, doc_type, record_id, title, "
                   "ts_headline('english', body, to_tsquery('english', :q), "
                   f"'StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=10, "
                   f"MaxFragments=2') AS snippet FROM search_document WHERE key IN ({listed})")
        return {r.k: r for r in session.execute(text(sql), {"q": self.params["q"]})}


def search(
    session: Session, q: str, types: list[str], limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of hits, best first; the cursor of the next page."""
    parsed = parse(q)
    engine = _Engine(session, parsed, types or list(TYPES))
    after = _decode(cursor) if cursor is not None else None
    if after is not None:
        window, size = after.window, WINDOW
        rows = engine.within(session, window, after, limit + 1)
    else:
        window, rows = engine.fresh(session, None, WINDOW, limit + 1)
        size = WINDOW * GROWTH
    found = [Position(window, float(r.score), int(r.k)) for r in rows]
    while len(found) <= limit and window.lo != 0:
        window, rows = engine.fresh(session, window.lo, size, limit + 1 - len(found))
        found += [Position(window, float(r.score), int(r.k)) for r in rows]
        size *= GROWTH
    page = found[:limit]
    details = engine.details(session, [p.k for p in page])
    hits = [
        {"type": d.doc_type, "id": d.record_id, "title": d.title, "score": -p.score,
         "snippet": _highlight(d.snippet)}
        for p in page if (d := details.get(p.k)) is not None
    ]
    return hits, _encode(page[-1]) if len(found) > limit else None
