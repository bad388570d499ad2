"""One settings class for the whole service, read from the environment (and `.env`)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Runtime settings; each field is documented in the README (a test checks)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./data/policy-ledger.db",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db.",
    )
    host: str = Field(default="127.0.0.1", description="Interface `serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `serve` listens on.")
    log_level: str = Field(default="info", description="Log level: debug, info, warning, error.")
    sqlite_busy_timeout_ms: int = Field(
        default=10_000, ge=0, description="How long a SQLite connection waits for a lock."
    )
    db_pool_size: int = Field(default=8, ge=1, le=64, description="Reader connections per process.")
    seed_file: Path = Field(
        default=PROJECT_ROOT / "seeds" / "ledger.yaml",
        description="The curated seed file `seed` loads.",
    )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
