"""SQLite's write-ahead log is copied into the database file by a thread of the server's,
not by whichever write happens to commit past SQLite's threshold."""

import sqlite3
import time
from pathlib import Path

from fastapi.testclient import TestClient

from app import migrate
from app.config import Settings
from app.db import Checkpoints, Engines, build_engines
from app.main import create_app
from tests.helpers import bearer
from tests.live import prepare_database


def _in_file_alone(path: Path, body: str) -> bool:
    """Whether the database file itself, its WAL ignored, holds the annotation."""
    db = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return db.execute("SELECT count(*) FROM annotation WHERE body = ?",
                          (body,)).fetchone()[0] == 1
    finally:
        db.close()


def _app(path: Path, interval_ms: int) -> tuple[TestClient, dict[str, str], Engines]:
    keys = prepare_database(path)  # migrated, seeded, a key per role
    engines = build_engines(f"sqlite:///{path}")
    settings = Settings(rate_limit_per_minute=0, sqlite_checkpoint_interval_ms=interval_ms)
    return TestClient(create_app(engines, settings)), bearer(keys["analyst"]), engines


def _autocheckpoint(engines: Engines) -> int:
    conn = engines.write.raw_connection()
    try:
        return int(conn.cursor().execute("PRAGMA wal_autocheckpoint").fetchone()[0])
    finally:
        conn.close()


def test_the_server_checkpoints_the_log_in_the_background(tmp_path: Path) -> None:
    client, auth, engines = _app(tmp_path / "ledger.db", 50)
    with client:
        assert _autocheckpoint(engines) == 0  # commits no longer checkpoint
        note = {"target": {"type": "prediction", "id": 1}, "body": "checkpointed"}
        assert client.post("/v1/annotations", json=note, headers=auth).status_code == 201
        deadline = time.monotonic() + 10
        while not _in_file_alone(tmp_path / "ledger.db", "checkpointed"):
            assert time.monotonic() < deadline, "the write never reached the database file"
            time.sleep(0.05)
    assert _autocheckpoint(engines) == 1000  # stopped: SQLite's own threshold again
    engines.dispose()


def test_without_an_interval_commits_checkpoint_as_sqlite_does(tmp_path: Path) -> None:
    client, auth, engines = _app(tmp_path / "ledger.db", 0)
    with client:
        assert _autocheckpoint(engines) == 1000
        note = {"target": {"type": "prediction", "id": 1}, "body": "in the log"}
        assert client.post("/v1/annotations", json=note, headers=auth).status_code == 201
        time.sleep(0.2)
        assert not _in_file_alone(tmp_path / "ledger.db", "in the log")  # still in the WAL
    engines.dispose()


def test_apps_sharing_engines_keep_the_log_quiet_until_the_last_stops(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    migrate.upgrade(url)
    engines = build_engines(url)
    first, second = Checkpoints(engines, 0.05), Checkpoints(engines, 0.05)
    first.start()
    second.start()
    first.stop()
    assert _autocheckpoint(engines) == 0
    second.stop()
    assert _autocheckpoint(engines) == 1000
    assert Checkpoints(engines, 0).active is False
    engines.dispose()
