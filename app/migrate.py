"""Run the Alembic migrations from code (CLI and tests) against any database URL."""

from alembic import command
from alembic.config import Config

from app.config import PROJECT_ROOT
from app.db import ensure_sqlite_directory


def alembic_config(database_url: str) -> Config:
    """An Alembic config for this project's migrations and the given database."""
    ensure_sqlite_directory(database_url)
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database forward to `revision`."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    """Migrate the database back to `revision` (`base` empties it)."""
    command.downgrade(alembic_config(database_url), revision)


def check(database_url: str) -> None:
    """Fail if the models and the migrated database differ."""
    command.check(alembic_config(database_url))
