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
    sqlite_checkpoint_interval_ms: int = Field(
        default=500, ge=0, le=60_000,
        description="How often the server copies SQLite's write-ahead log into the database "
                    "file, in a thread of its own; 0 leaves it to the committing writes.",
    )
    db_pool_size: int = Field(default=8, ge=1, le=64, description="Reader connections per process.")
    public_read: bool = Field(
        default=True, description="Serve reads without a key; `false` requires any valid key."
    )
    max_body_bytes: int = Field(
        default=8 * 1024 * 1024, ge=1024,
        description="Largest request body accepted; larger ones get 413.",
    )
    rate_limit_per_minute: int = Field(
        default=1200, ge=0,
        description="Requests per minute per key (per client address without a key); "
        "0 turns the limit off.",
    )
    cors_origins: str = Field(
        default="", description="Comma-separated origins allowed to call the API from a "
        "browser; none by default. Credentials are never allowed.",
    )
    fast_reads: bool = Field(
        default=True, description="Answer plain anonymous reads (a record by id, a list "
        "with simple filters) without FastAPI's routing; `false` sends every request "
        "through it. Responses are the same either way.",
    )
    idempotency_ttl_hours: int = Field(
        default=24, ge=1, le=24 * 30,
        description="How long a POST's `Idempotency-Key` is remembered per key.",
    )
    malloc_arenas: int = Field(
        default=2, ge=0, le=64,
        description="Memory arenas the C allocator may keep (glibc); each worker thread "
        "would otherwise get one, which holds on to what it once used. 0 leaves the "
        "allocator's default.",
    )
    seed_file: Path = Field(
        default=PROJECT_ROOT / "seeds" / "ledger.yaml",
        description="The curated seed file `seed` loads.",
    )

    @property
    def cors_origin_list(self) -> list[str]:
        """The CORS origins, one per comma-separated entry."""
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
