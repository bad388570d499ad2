"""bench-data: the bulk loader writes exactly what the services write, deterministically.

One small plan is written twice into two fresh databases: once by `load_bulk` (batched
inserts that compute the derived columns themselves) and once by `load_via_services`
(the services the API uses, record by record). Every table is then compared row by row.

No column is ignored. The float sums of `score_rollup` are compared to 1e-9 relative
rather than exactly: the services move the rollups by each write's difference and the
bulk path adds them up record by record, so the additions happen in another order. The
bulk rollups are also held equal to a full recomputation (`rollups.full_contribution`,
what `rebuild-scores` stores). Timestamps need no exception: both paths run under the
plan's clock (`frozen_clock`), never the wall clock. The audit trail is compared too: the
seed's rows are in both, and neither path audits the bench records.
"""

import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session
from typer.testing import CliRunner

from app import benchdata, migrate
from app.cli import cli
from app.config import get_settings
from app.db import build_engines, session_scope
from app.models import ScoreRollup, metadata
from app.scoring import rollups
from app.seeding import load_seed, read_seed
from app.types import frozen_clock
from tests.conftest import SEED_FILE, scratch_postgres_database
from tests.helpers import link_mismatches

PREDICTIONS = 100
SEED = 3


@pytest.fixture
def second_url(database_url: str, tmp_path: Path, worker_name: str) -> Iterator[str]:
    """Another clean, migrated database on the same engine as `database_url`."""
    if database_url.startswith("postgresql"):
        server = os.environ["TEST_DATABASE_URL"]
        name = f"{worker_name}_bench"
        url = scratch_postgres_database(server, name)
        migrate.upgrade(url)
        yield url
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        return
    target = tmp_path / "services.db"
    shutil.copyfile(make_url(database_url).database or "", target)
    yield f"sqlite:///{target}"


def _fill(url: str, via: str) -> benchdata.Plan:
    engines = build_engines(url)
    try:
        with session_scope(engines.write) as session, frozen_clock(benchdata.SEED_AT):
            load_seed(session, read_seed(SEED_FILE))
        with session_scope(engines.write) as session:
            data = benchdata.plan(PREDICTIONS, SEED, benchdata.first_ids(session))
        if via == "bulk":
            benchdata.load_bulk(engines.write, data)
        else:
            with session_scope(engines.write) as session:
                benchdata.load_via_services(session, data)
    finally:
        engines.dispose()
    return data


def _tables(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in primary-key order, the search index included."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        # the driver's values, not SQLAlchemy's: on SQLite, the very text stored
        for table in metadata.sorted_tables:
            order = ", ".join(c.name for c in (table.primary_key.columns or table.columns))
            out[table.name] = [tuple(r) for r in conn.exec_driver_sql(
                f"SELECT * FROM {table.name} ORDER BY {order}")]
        column = "rowid" if engine.dialect.name == "sqlite" else "key"
        out["search_document"] = [tuple(r) for r in conn.exec_driver_sql(
            f"SELECT {column}, doc_type, record_id, title, body FROM search_document "
            f"ORDER BY {column}")]
    return out


def _same(a: Any, b: Any, table: str) -> bool:
    if table == "score_rollup" and isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b)


def differences(left: Engine, right: Engine) -> list[str]:
    """Rows that differ between two databases, described; empty when they are equal."""
    found: list[str] = []
    a, b = _tables(left), _tables(right)
    for name in a:
        if len(a[name]) != len(b[name]):
            found.append(f"{name}: {len(a[name])} rows vs {len(b[name])}")
            continue
        for x, y in zip(a[name], b[name], strict=True):
            if len(x) != len(y) or not all(_same(p, q, name) for p, q in zip(x, y, strict=True)):
                found.append(f"{name}: {x!r} != {y!r}")
                break
    return found


def _rollups_match_a_full_recomputation(engine: Engine) -> None:
    """The stored rollups are what `rollups.full_contribution` (rebuild-scores) computes."""
    with Session(engine) as session:
        full = rollups.full_contribution(session)
        stored = {(r.dimension, r.choice, r.group_key, r.cell): r
                  for r in session.scalars(select(ScoreRollup))}
    assert stored.keys() == full.keys()
    for k, sums in full.items():
        row = stored[k]
        assert row.n == sums.n, k
        for name in ("f", "ff", "o", "oo", "fo", "log"):
            assert math.isclose(getattr(row, name), getattr(sums, name),
                                rel_tol=1e-9, abs_tol=1e-9), (k, name)


def test_bulk_load_writes_the_rows_the_services_write(database_url: str, second_url: str) -> None:
    data = _fill(database_url, "bulk")
    _fill(second_url, "services")
    bulk, services = create_engine(database_url), create_engine(second_url)
    try:
        assert differences(bulk, services) == []
        _rollups_match_a_full_recomputation(bulk)
        assert link_mismatches(bulk) == []
        # the comparison is not vacuous: every kind of record was written ...
        rows = _tables(bulk)
        for table in ("organization", "analyst", "document", "report", "report_author",
                      "actor", "topic", "prediction", "prediction_actor", "prediction_topic",
                      "forecast", "resolution", "recommendation", "recommendation_actor",
                      "recommendation_status_change", "annotation", "annotation_tag",
                      "score_rollup", "search_document"):
            assert len(rows[table]) > 0, table
        assert data.sizes()["predictions"] == PREDICTIONS
        notes = {c.name: n for n, c in enumerate(metadata.tables["annotation"].columns)}
        assert {r[notes["target_type"]] for r in rows["annotation"]} >= {
            "prediction", "recommendation", "document", "annotation"}
        assert any(r[notes["selector_exact"]] for r in rows["annotation"])
        kind = [c.name for c in metadata.tables["forecast"].columns].index("kind")
        assert {r[kind] for r in rows["forecast"]} == {"initial", "update"}
        # ... and one changed value is caught
        with bulk.begin() as conn:
            conn.execute(text("UPDATE prediction SET time_averaged_probability = 0.123456 "
                              "WHERE id = (SELECT max(id) FROM prediction)"))
        assert any(d.startswith("prediction:") for d in differences(bulk, services))
    finally:
        bulk.dispose()
        services.dispose()


def _digest(data: benchdata.Plan) -> list[Any]:
    return [(s, [(i.at, i.id, i.author, repr(i.body)) for i in getattr(data, s)])
            for s in benchdata.SECTIONS]


def test_one_seed_draws_one_dataset() -> None:
    first = {name: 1 for name in benchdata.ID_TABLES}
    assert _digest(benchdata.plan(200, 5, first)) == _digest(benchdata.plan(200, 5, first))
    assert _digest(benchdata.plan(200, 5, first)) != _digest(benchdata.plan(200, 6, first))


def test_sizes_scale_with_the_predictions() -> None:
    full = benchdata.sizes_for(200_000)
    assert full == {"organizations": 150, "analysts": 1000, "reports": 20_000,
                    "actors": 2000, "topics": 300, "predictions": 200_000,
                    "recommendations": 50_000, "annotations": 500_000}
    assert benchdata.sizes_for(20_000)["annotations"] == 50_000


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def test_the_command_fills_a_database_and_refuses_to_fill_it_twice(cli_database: str) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["bench-data", "--predictions", "40", "--seed", "2"])
    assert first.exit_code == 0, first.output
    assert "rows stored" in first.output
    engine = create_engine(cli_database)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM prediction")).scalar_one()
        indexed = conn.execute(text(
            "SELECT count(*) FROM search_document WHERE doc_type = 'prediction'")).scalar_one()
    engine.dispose()
    seed_predictions = len(read_seed(SEED_FILE)["predictions"])
    assert stored == indexed == 40 + seed_predictions
    again = runner.invoke(cli, ["bench-data", "--predictions", "40"])
    assert again.exit_code == 1
    assert "already holds 40 predictions" in again.output
