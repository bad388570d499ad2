"""Migrations run forward, back and forward again on SQLite and PostgreSQL, with no drift."""

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from app import migrate
from app.db import build_engines, session_scope
from app.models import metadata
from app.seeding import load_seed, read_seed
from tests.conftest import SEED_FILE, postgres_url_or_skip, scratch_postgres_database
from tests.helpers import link_mismatches


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        names = set(inspect(engine).get_table_names()) - {"alembic_version"}
        return {n for n in names if not n.startswith("search_document")}
    finally:
        engine.dispose()


def has_search_index(url: str) -> bool:
    engine = create_engine(url)
    try:
        return "search_document" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def round_trip(url: str) -> None:
    migrate.upgrade(url)
    migrate.check(url)
    assert tables(url) == {t.name for t in metadata.sorted_tables}
    assert has_search_index(url)
    migrate.downgrade(url, "base")
    assert tables(url) == set()
    migrate.upgrade(url)
    migrate.check(url)


def link_ids_filled(url: str) -> None:
    """Records stored before their rows kept link ids get them from the link tables."""
    migrate.upgrade(url)
    engines = build_engines(url)
    try:
        with session_scope(engines.write) as session:
            load_seed(session, read_seed(SEED_FILE))
        migrate.downgrade(url, "0005")  # the columns go; the link tables keep their rows
        migrate.upgrade(url)
        assert link_mismatches(engines.read) == []
        with engines.read.connect() as conn:
            linked = conn.exec_driver_sql(
                "SELECT count(*) FROM prediction WHERE id IN "
                "(SELECT prediction_id FROM prediction_actor)").scalar()
        assert linked  # the check above compared filled arrays, not empty ones
    finally:
        engines.dispose()


def test_migrations_round_trip_on_sqlite(tmp_path: Path) -> None:
    round_trip(f"sqlite:///{tmp_path / 'm.db'}")


def test_link_ids_are_filled_on_sqlite(tmp_path: Path) -> None:
    link_ids_filled(f"sqlite:///{tmp_path / 'm.db'}")


@pytest.mark.postgres
def test_link_ids_are_filled_on_postgresql(worker_name: str) -> None:
    link_ids_filled(scratch_postgres_database(postgres_url_or_skip(),
                                              f"{worker_name}_link_ids"))


@pytest.mark.postgres
def test_migrations_round_trip_on_postgresql(worker_name: str) -> None:
    url = scratch_postgres_database(postgres_url_or_skip(), f"{worker_name}_migrations")
    round_trip(url)
