"""Migrations run forward, back and forward again on SQLite and PostgreSQL, with no drift."""

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from app import migrate
from app.models import metadata
from tests.conftest import postgres_url_or_skip, scratch_postgres_database


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


def test_migrations_round_trip_on_sqlite(tmp_path: Path) -> None:
    round_trip(f"sqlite:///{tmp_path / 'm.db'}")


@pytest.mark.postgres
def test_migrations_round_trip_on_postgresql(worker_name: str) -> None:
    url = scratch_postgres_database(postgres_url_or_skip(), f"{worker_name}_migrations")
    round_trip(url)
