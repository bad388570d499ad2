"""Fixtures: one clean, migrated database per test, on SQLite or (TEST_DATABASE_URL) PostgreSQL.

SQLite: the migrations run once per worker into a template file, which each test copies.
PostgreSQL: each worker migrates its own database once; each test starts from empty tables.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import migrate
from app.config import PROJECT_ROOT, Settings
from app.db import Engines, build_engines, session_scope
from app.main import create_app
from app.models import metadata
from app.seeding import load_seed, read_seed
from app.trust.keys import Role, create_key, revoke_key
from tests.helpers import bearer

SEED_FILE = PROJECT_ROOT / "seeds" / "ledger.yaml"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
IN_CI = os.environ.get("CI", "").lower() == "true"


def postgres_url_or_skip(url: str = DEFAULT_PG_URL) -> str:
    """The server URL if PostgreSQL answers; otherwise skip (or, in CI, fail)."""
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL at {make_url(url).host} is required in CI: {exc}")
        pytest.skip(f"no PostgreSQL server answers at {make_url(url).host}: {exc}")
    return url


def scratch_postgres_database(server_url: str, name: str) -> str:
    """Create (or recreate) an empty database on the server; return its URL."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def worker_name(worker_id: str) -> str:
    return f"pl_test_{worker_id}_{os.getpid()}"


@pytest.fixture(scope="session")
def template_url(tmp_path_factory: pytest.TempPathFactory, worker_name: str) -> Iterator[str]:
    """A migrated database this worker's tests start from."""
    server = os.environ.get("TEST_DATABASE_URL")
    if server:
        url = scratch_postgres_database(postgres_url_or_skip(server), worker_name)
        migrate.upgrade(url)
        yield url
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{worker_name}" WITH (FORCE)'))
        admin.dispose()
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    yield str(path)


@pytest.fixture
def database_url(template_url: str, tmp_path: Path) -> str:
    """A clean, migrated database for one test."""
    if template_url.startswith("postgresql"):
        engine = create_engine(template_url)
        # search_document lives outside the models (engine-specific), so name it too
        tables = ", ".join([*(f'"{t.name}"' for t in metadata.sorted_tables), "search_document"])
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return template_url
    target = tmp_path / "ledger.db"
    shutil.copyfile(template_url, target)
    return f"sqlite:///{target}"


@pytest.fixture
def engines(database_url: str) -> Iterator[Engines]:
    built = build_engines(database_url)
    yield built
    built.dispose()


@pytest.fixture
def keys(engines: Engines) -> dict[str, str]:
    """One key per role (named after it), and a revoked editor key under `revoked`."""
    made: dict[str, str] = {}
    with session_scope(engines.write) as session:
        for role in Role:
            made[role.value] = create_key(session, role.value, role)[1]
        row, made["revoked"] = create_key(session, "revoked", Role.editor)
        revoke_key(session, row)
    return made


TEST_SETTINGS = Settings(rate_limit_per_minute=0)


@pytest.fixture
def client(engines: Engines, keys: dict[str, str]) -> Iterator[TestClient]:
    """A client of the app holding the editor key (pass other headers to act as others)."""
    app = create_app(engines, TEST_SETTINGS)
    with TestClient(app, headers=bearer(keys["editor"])) as test_client:
        yield test_client


@pytest.fixture
def anonymous(engines: Engines) -> Iterator[TestClient]:
    """A client of the app without a key."""
    with TestClient(create_app(engines, TEST_SETTINGS)) as test_client:
        yield test_client


@pytest.fixture
def seeded(engines: Engines) -> Engines:
    """The database holds the curated seed."""
    with session_scope(engines.write) as session:
        load_seed(session, read_seed(SEED_FILE))
    return engines
