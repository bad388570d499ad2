"""Scores at scale: GET /v1/scores?group_by=analyst over N resolved predictions.

Builds a SQLite database with the seed plus N synthetic predictions (default 200,000)
spread over 1,000 analysts in 150 organizations, every one resolved, then times the
score endpoints (median of 10 requests each, in-process).

    .venv/bin/python bench/scores.py [--predictions 200000] [--database-url URL]
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
from app.scoring import rollups
from app.seeding import load_seed, read_seed

NOW = "2026-01-01 00:00:00"


def fill(url: str, n: int, analysts: int = 1000, organizations: int = 150) -> None:
    """Seed, then bulk-insert analysts, organizations and n resolved predictions."""
    engines = build_engines(url)
    with session_scope(engines.write) as session:
        load_seed(session, read_seed(PROJECT_ROOT / "seeds" / "ledger.yaml"))
    rng = random.Random(42)
    with engines.write.begin() as conn:
        conn.execute(text(
            "INSERT INTO organization (slug, created_at, updated_at, version, name, kind, aliases)"
            " VALUES (:slug, :t, :t, 1, :name, 'institute', '[]')"),
            [{"slug": f"org-{i}", "name": f"Org {i}", "t": NOW} for i in range(organizations)])
        org_ids = text("SELECT id FROM organization WHERE slug LIKE 'org-%'")
        orgs = [r[0] for r in conn.execute(org_ids)]
        conn.execute(text(
            "INSERT INTO analyst (slug, created_at, updated_at, version, name, kind,"
            " organization_id) VALUES (:slug, :t, :t, 1, :name, 'person', :org)"),
            [{"slug": f"analyst-{i}", "name": f"Analyst {i}", "t": NOW, "org": rng.choice(orgs)}
             for i in range(analysts)])
        people_ids = text("SELECT id FROM analyst WHERE slug LIKE 'analyst-%'")
        people = [r[0] for r in conn.execute(people_ids)]
        rows = []
        for i in range(n):
            p = rng.random()
            outcome = rng.choices(["true", "false", "partially_true", "ambiguous"],
                                  [p, 1 - p, 0.05, 0.02])[0]
            rows.append({"slug": f"bench-{i}", "t": NOW, "s": f"Forecast {i}.",
                         "a": rng.choice(people), "p": p, "o": outcome,
                         "k": f"{2020 + i % 6}-06-01"})
        conn.execute(text(
            "INSERT INTO prediction (slug, created_at, updated_at, version, statement, report_id,"
            " analyst_id, probability, outcome, outcome_known_on, time_averaged_probability,"
            " community_probability) VALUES (:slug, :t, :t, 1, :s, 1, :a, :p, :o, :k, :p, :p)"),
            rows)
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("ANALYZE")
    with session_scope(engines.write) as session:
        rollups.rebuild(session)
    engines.dispose()


def median_ms(client: TestClient, path: str, params: dict[str, str], runs: int = 10) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path, params=params)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.text
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predictions", type=int, default=200_000)
    parser.add_argument("--database-url",
                        help="an empty database (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/scores.db"
        migrate.upgrade(url)
        start = time.perf_counter()
        fill(url, args.predictions)
        print(f"loaded {args.predictions:,} resolved predictions in "
              f"{time.perf_counter() - start:.1f} s ({url.split(':')[0]})")
        engines = build_engines(url)
        with TestClient(create_app(engines)) as client:
            for group_by in ("analyst", "organization", "year", "all"):
                ms = median_ms(client, "/v1/scores", {"group_by": group_by})
                print(f"GET /v1/scores?group_by={group_by}: {ms:.0f} ms")
            ms = median_ms(client, "/v1/analysts/5/track-record", {})
            print(f"GET /v1/analysts/5/track-record: {ms:.0f} ms")
        engines.dispose()


if __name__ == "__main__":
    main()
