"""Keyset pagination at scale: page 1 and page 1,000 of a filtered list cost the same.

Builds a SQLite database with the seed plus N synthetic predictions (default 100,000;
60 % of them by one analyst, each linked to one of 50 actors), then times the first
page and the 1,000th page of `GET /v1/predictions?analyst=...` and `?actor=...`
(50 per page, reached by following next_cursor), and prints the query plans.

    .venv/bin/python bench/pagination.py [--predictions 100000]
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import migrate
from app.config import PROJECT_ROOT
from app.db import build_engines, session_scope
from app.main import create_app
from app.seeding import load_seed, read_seed


def fill(url: str, n: int) -> None:
    """Seed, then bulk-insert n predictions and their actor links."""
    engines = build_engines(url)
    with session_scope(engines.write) as session:
        load_seed(session, read_seed(PROJECT_ROOT / "seeds" / "ledger.yaml"))
    rng = random.Random(7)
    now = "2026-01-01 00:00:00.000000"
    with engines.write.begin() as conn:
        conn.execute(text(
            "INSERT INTO analyst (slug, created_at, updated_at, version, name, kind) "
            "VALUES ('bench-analyst', :t, :t, 1, 'Bench Analyst', 'person')"), {"t": now})
        big = conn.execute(text("SELECT id FROM analyst WHERE slug='bench-analyst'")).scalar()
        rows = [
            {"slug": f"bench-{i}", "t": now, "statement": f"Synthetic forecast {i}.",
             "analyst": big if rng.random() < 0.6 else rng.choice([1, 2]),
             "resolve_by": f"{2026 + i % 5}-0{1 + i % 9}-15"}
            for i in range(n)
        ]
        conn.execute(text(
            "INSERT INTO prediction (slug, created_at, updated_at, version, statement, report_id,"
            " analyst_id, resolve_by) VALUES (:slug, :t, :t, 1, :statement, 1, :analyst,"
            " :resolve_by)"), rows)
        bench_ids = text("SELECT id FROM prediction WHERE slug LIKE 'bench-%'")
        ids = [r[0] for r in conn.execute(bench_ids)]
        conn.execute(text("INSERT INTO prediction_actor (prediction_id, actor_id) VALUES (:p, :a)"),
                     [{"p": p, "a": 1 + p % 14} for p in ids])
        conn.exec_driver_sql("ANALYZE")
    engines.dispose()


def time_pages(client: TestClient, params: dict[str, str], page: int) -> tuple[float, float]:
    """Median ms of page 1 and of page `page`, over 20 requests each."""
    cursor = None
    for _ in range(page - 1):
        more = {"cursor": cursor} if cursor else {}
        cursor = client.get("/v1/predictions", params={**params, **more}).json()["next_cursor"]
    assert cursor is not None, "not enough rows for that page"

    def median(extra: dict[str, str]) -> float:
        samples = []
        for _ in range(20):
            start = time.perf_counter()
            response = client.get("/v1/predictions", params={**params, **extra})
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200 and len(response.json()["items"]) == 50
        return statistics.median(samples)

    return median({}), median({"cursor": cursor})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predictions", type=int, default=100_000)
    parser.add_argument("--page", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        migrate.upgrade(url)
        start = time.perf_counter()
        fill(url, args.predictions)
        print(f"loaded {args.predictions:,} predictions in {time.perf_counter() - start:.1f} s")
        engines = build_engines(url)
        with TestClient(create_app(engines)) as client:
            for params in ({"analyst": "bench-analyst", "limit": "50"},
                           {"actor": "china", "limit": "50"}):
                first, later = time_pages(client, params, args.page)
                print(f"{params}: page 1 {first:.2f} ms, page {args.page:,} {later:.2f} ms")
        with engines.read.connect() as conn:
            for label, sql in (
                ("analyst filter, after a cursor",
                 "SELECT id FROM prediction WHERE analyst_id = 3 AND id > 50000 "
                 "ORDER BY id LIMIT 51"),
                ("actor filter, after a cursor",
                 "SELECT p.id FROM prediction p WHERE EXISTS (SELECT 1 FROM prediction_actor"
                 " pa WHERE pa.actor_id = 1 AND pa.prediction_id = p.id) AND p.id > 50000"
                 " ORDER BY p.id LIMIT 51"),
            ):
                plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").fetchall()
                print(f"plan, {label}:")
                for row in plan:
                    print("   ", row[-1])
        engines.dispose()


if __name__ == "__main__":
    main()
