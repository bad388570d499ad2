"""Search at scale: first page of GET /v1/search over 200,000 predictions and 500,000
annotations (defaults), on SQLite FTS5 or PostgreSQL (--database-url of an empty database).

Texts are drawn from a Zipf-distributed vocabulary so that some words are everywhere
and most are rare. Each query's first and next page are timed in-process, median of 20 requests.

    .venv/bin/python bench/search.py [--predictions 200000] [--annotations 500000]
"""

import argparse
import itertools
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import migrate
from app.benchdata import VOCAB
from app.config import PROJECT_ROOT
from app.db import build_engines, session_scope
from app.main import create_app
from app.search.index import key
from app.seeding import load_seed, read_seed

NOW = "2026-01-01 00:00:00"
# The Zipf vocabulary of `policy-ledger bench-data`: "china" common, "denuclearization" rare.
CUMULATIVE = list(itertools.accumulate(1 / (r + 1) for r in range(len(VOCAB))))
QUERIES = ["denuclearization", "china", '"north korea"', "sanctio*", "railway -china",
           "satellite embassy", "zanzibar"]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(VOCAB, cum_weights=CUMULATIVE, k=n))


def fill(url: str, predictions: int, annotations: int) -> None:
    """Seed, then bulk-insert predictions, annotations and their index rows."""
    engines = build_engines(url)
    with session_scope(engines.write) as session:
        load_seed(session, read_seed(PROJECT_ROOT / "seeds" / "ledger.yaml"))
    rng = random.Random(11)
    sqlite = engines.write.dialect.name == "sqlite"
    index_sql = text(
        f"INSERT INTO search_document ({'rowid' if sqlite else 'key'}, doc_type, record_id, "
        "title, body) VALUES (:k, :t, :i, :title, :body)")
    with engines.write.begin() as conn:
        first = 1000
        rows = [{"id": first + i, "slug": f"bench-{i}", "t": NOW,
                 "s": sentence(rng, 14).capitalize() + "."} for i in range(predictions)]
        conn.execute(text(
            "INSERT INTO prediction (id, slug, created_at, updated_at, version, statement,"
            " report_id, analyst_id) VALUES (:id, :slug, :t, :t, 1, :s, 1, 1)"), rows)
        conn.execute(index_sql, [{"k": key("prediction", r["id"]), "t": "prediction",
                                  "i": r["id"], "title": r["s"], "body": sentence(rng, 20)}
                                 for r in rows])
        notes = [{"id": first + i, "t": NOW, "b": sentence(rng, 25),
                  "target": first + rng.randrange(predictions)} for i in range(annotations)]
        for chunk in range(0, len(notes), 50_000):
            part = notes[chunk:chunk + 50_000]
            conn.execute(text(
                "INSERT INTO annotation (id, target_type, target_id, body, body_format,"
                " motivation, author, created_at, updated_at, version) VALUES (:id,"
                " 'prediction', :target, :b, 'text/plain', 'commenting', 'bench', :t, :t, 1)"),
                part)
            conn.execute(index_sql, [{"k": key("annotation", n["id"]), "t": "annotation",
                                      "i": n["id"], "title": "", "body": n["b"]} for n in part])
            print(f"  {chunk + len(part):,} annotations", flush=True)
        if sqlite:
            conn.exec_driver_sql("INSERT INTO search_document(search_document) VALUES('optimize')")
        else:
            conn.exec_driver_sql("ANALYZE")
    engines.dispose()


@dataclass
class Timing:
    found: int
    cursor: str | None
    median: float
    worst: float


def time_page(client: TestClient, params: dict[str, object]) -> Timing:
    """Median and worst of 20 requests for one page."""
    samples = []
    for _ in range(20):
        t0 = time.perf_counter()
        response = client.get("/v1/search", params=params)
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.text
    body = response.json()
    return Timing(len(body["items"]), body["next_cursor"], statistics.median(samples),
                  max(samples))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predictions", type=int, default=200_000)
    parser.add_argument("--annotations", type=int, default=500_000)
    parser.add_argument("--database-url", help="an empty database, or one this script filled "
                        "before (default: a temporary SQLite file)")
    parser.add_argument("--query", action="append", help="search text to time (repeatable; "
                        "default: a broad, a rare, a phrase, a prefix and an exclusion query)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/search.db"
        migrate.upgrade(url)
        engines = build_engines(url)
        with engines.read.connect() as conn:
            present = conn.execute(text("SELECT count(*) FROM prediction")).scalar_one()
        if present > 100:
            print(f"reusing the {present:,} predictions already in the database")
        else:
            start = time.perf_counter()
            fill(url, args.predictions, args.annotations)
            print(f"loaded {args.predictions:,} predictions and {args.annotations:,} "
                  f"annotations in {time.perf_counter() - start:.0f} s ({url.split(':')[0]})")
        with TestClient(create_app(engines)) as client:
            for q in args.query or QUERIES:
                first = time_page(client, {"q": q, "limit": 20})
                line = (f"q={q!r:24} first page ({first.found} hits) median "
                        f"{first.median:.1f} ms, max {first.worst:.1f} ms")
                if first.cursor:
                    second = time_page(client, {"q": q, "limit": 20, "cursor": first.cursor})
                    line += f"; next page median {second.median:.1f} ms"
                print(line)
        engines.dispose()


if __name__ == "__main__":
    main()
