"""The raw baseline: the harness's queries on the same SQLite file, with nothing in between.

Starlette, the standard library's sqlite3 and orjson; async endpoints run each prepared
statement directly on the event loop over one connection (the fastest way to use one
core), with no validation, no ORM and no authentication. It is the ceiling our server is
measured against, not a service:

    BENCH_DB=path/to/ledger.db uvicorn --loop uvloop --http httptools bench.raw:app

Routes (all JSON):

    GET  /predictions/{id}                         one prediction with its actor/topic ids
    GET  /predictions/by-analyst?analyst=A         50 resolved ones, newest first
    GET  /predictions/by-actor?actor=A&after=D&before=D
                                                   50 linked to A, resolve_by in [D, D]
    GET  /search?q=WORD                            FTS5 bm25 top 20, with snippets
    GET  /scores/analyst                           Brier per analyst, a full-table GROUP BY
    GET  /analysts/{id}/track-record               one analyst's Brier, bins, adoption
    POST /annotations   {"target_id": P, "body": "..."}   one single-row INSERT
"""

import os
import sqlite3
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# The app's status rule for "resolved": an outcome that is not annulled, condition not unmet.
RESOLVED = ("outcome IS NOT NULL AND outcome <> 'annulled' "
            "AND (condition_status IS NULL OR condition_status <> 'not_met')")
# The app's scoring rules (app/scoring/aggregate.py): forecast is the time-averaged
# probability, else the stated one, else the implied one; outcomes true=1, false=0,
# partially_true=0.5; void predictions and other outcomes are left out.
FORECAST = ("coalesce(time_averaged_probability, coalesce(probability, implied_probability))")
OUTCOME = ("CASE outcome WHEN 'true' THEN 1.0 WHEN 'false' THEN 0.0 "
           "WHEN 'partially_true' THEN 0.5 END")
SCORED = (f"outcome IN ('true', 'false', 'partially_true') AND {FORECAST} IS NOT NULL "
          "AND (condition_status IS NULL OR condition_status <> 'not_met')")

SQL = {
    "get": (
        "SELECT p.*, (SELECT json_group_array(actor_id) FROM prediction_actor "
        "WHERE prediction_id = p.id) AS actor_ids, (SELECT json_group_array(topic_id) "
        "FROM prediction_topic WHERE prediction_id = p.id) AS topic_ids "
        "FROM prediction p WHERE p.id = ?"
    ),
    "by_analyst": (
        f"SELECT * FROM prediction WHERE analyst_id = ? AND {RESOLVED} "
        "ORDER BY id DESC LIMIT 51"
    ),
    "by_actor": (
        "SELECT p.* FROM prediction p WHERE p.id IN (SELECT prediction_id FROM "
        "prediction_actor WHERE actor_id = ?) "
        "AND p.resolve_by >= ? AND p.resolve_by <= ? ORDER BY p.id LIMIT 51"
    ),
    "search": (
        # rank every match, then make snippets for the top rows only
        "WITH top AS (SELECT rowid AS k, bm25(search_document, 0, 0, 10.0, 1.0) AS score "
        "FROM search_document WHERE search_document MATCH ? ORDER BY score, k LIMIT 21) "
        "SELECT top.k, doc_type, record_id, title, top.score, "
        "snippet(search_document, 3, '<mark>', '</mark>', '…', 20) AS snippet "
        "FROM top JOIN search_document ON search_document.rowid = top.k "
        "WHERE search_document MATCH ? ORDER BY top.score, top.k"
    ),
    "scores": (
        f"SELECT analyst_id, count(*) AS n, "
        f"avg(({FORECAST} - {OUTCOME}) * ({FORECAST} - {OUTCOME})) AS brier "
        f"FROM prediction WHERE {SCORED} GROUP BY analyst_id"
    ),
    "track_bins": (
        f"SELECT CASE WHEN {FORECAST} >= 1 THEN 9 ELSE CAST({FORECAST} * 10 AS INTEGER) END "
        f"AS bin, count(*) AS n, avg({FORECAST}) AS mean_forecast, avg({OUTCOME}) AS observed, "
        f"sum(({FORECAST} - {OUTCOME}) * ({FORECAST} - {OUTCOME})) AS brier_sum "
        f"FROM prediction WHERE analyst_id = ? AND {SCORED} GROUP BY bin"
    ),
    "track_adoption": (
        "SELECT status, count(*) FROM recommendation WHERE analyst_id = ? GROUP BY status"
    ),
    "insert": (
        "INSERT INTO annotation (target_type, target_id, body, body_format, motivation, "
        "author, created_at, updated_at, version) "
        "VALUES ('prediction', ?, ?, 'text/plain', 'commenting', 'raw', ?, ?, 1)"
    ),
}


def connect(path: str) -> sqlite3.Connection:
    """One connection with the app's pragmas, in autocommit mode."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                           cached_statements=64)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000",
                   "synchronous=NORMAL"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


class _Lazy:
    """The connection, opened on first use (importing this module opens nothing)."""

    conn: sqlite3.Connection | None = None

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        if self.conn is None:
            self.conn = connect(os.environ.get("BENCH_DB", "data/policy-ledger.db"))
        return self.conn.execute(sql, params)


DB = _Lazy()


def rows(sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    cur = DB.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def json(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


def page(items: list[dict[str, Any]], limit: int) -> Response:
    more = len(items) > limit
    return json({"items": items[:limit], "next_cursor": items[limit - 1]["id"] if more else None})


async def get_prediction(request: Request) -> Response:
    found = rows(SQL["get"], (int(request.path_params["id"]),))
    if not found:
        return json({"detail": "not found"}, 404)
    item = found[0]
    item["actor_ids"] = orjson.loads(item["actor_ids"])
    item["topic_ids"] = orjson.loads(item["topic_ids"])
    return json(item)


async def by_analyst(request: Request) -> Response:
    return page(rows(SQL["by_analyst"], (int(request.query_params["analyst"]),)), 50)


async def by_actor(request: Request) -> Response:
    q = request.query_params
    return page(rows(SQL["by_actor"], (int(q["actor"]), q["after"], q["before"])), 50)


async def search(request: Request) -> Response:
    hits = rows(SQL["search"], (request.query_params["q"], request.query_params["q"]))
    return json({"items": hits[:20], "more": len(hits) > 20})


async def scores(request: Request) -> Response:
    return json({"group_by": "analyst", "groups": rows(SQL["scores"], ())})


async def track_record(request: Request) -> Response:
    analyst = int(request.path_params["id"])
    bins = rows(SQL["track_bins"], (analyst,))
    n = sum(b["n"] for b in bins)
    adoption = dict(DB.execute(SQL["track_adoption"], (analyst,)).fetchall())
    return json({"analyst_id": analyst, "scored": n,
                 "brier": sum(b["brier_sum"] for b in bins) / n if n else None,
                 "bins": bins, "recommendations": adoption})


async def create_annotation(request: Request) -> Response:
    data = orjson.loads(await request.body())
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    cur = DB.execute(SQL["insert"], (int(data["target_id"]), str(data["body"]), now, now))
    return json({"id": cur.lastrowid}, 201)


async def health(request: Request) -> Response:
    return json({"status": "ok"})


app = Starlette(routes=[
    Route("/health", health),
    Route("/predictions/by-analyst", by_analyst),
    Route("/predictions/by-actor", by_actor),
    Route("/predictions/{id:int}", get_prediction),
    Route("/search", search),
    Route("/scores/analyst", scores),
    Route("/analysts/{id:int}/track-record", track_record),
    Route("/annotations", create_annotation, methods=["POST"]),
])
