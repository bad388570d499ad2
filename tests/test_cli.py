"""The policy-ledger command: migrate, seed (idempotent, refusing bad input), settings docs."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.config import PROJECT_ROOT, Settings, get_settings
from tests.conftest import SEED_FILE

runner = CliRunner()


@pytest.fixture
def fresh_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    from app.db import get_engines

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    get_engines.cache_clear()
    yield url
    get_engines().dispose()
    get_settings.cache_clear()
    get_engines.cache_clear()


def test_migrate_then_seed_if_empty_loads_once(fresh_sqlite: str) -> None:
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    first = runner.invoke(cli, ["seed", "--if-empty"])
    assert first.exit_code == 0 and "54 records created" in first.output
    second = runner.invoke(cli, ["seed", "--if-empty"])
    assert "seed skipped" in second.output
    again = runner.invoke(cli, ["seed"])
    assert again.exit_code == 0 and "0 records created" in again.output


def test_seed_refusal_exits_non_zero_and_names_the_record(
    fresh_sqlite: str, tmp_path: Path
) -> None:
    runner.invoke(cli, ["migrate"])
    text = SEED_FILE.read_text(encoding="utf-8").replace("start: 1299", "start: 1298", 1)
    bad = tmp_path / "ledger.yaml"
    bad.write_text(text, encoding="utf-8")
    article = next(SEED_FILE.parent.glob("*.txt"))
    (tmp_path / article.name).write_bytes(article.read_bytes())
    result = runner.invoke(cli, ["seed", "--file", str(bad)])
    assert result.exit_code == 1
    assert "north-korea-strategic-value-rises-with-us-china-tensions" in result.output


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`{name.upper()}`" in readme, name


def test_keys_are_created_listed_and_revoked_from_the_command_line(
    fresh_sqlite: str, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from app.db import get_engines
    from app.main import create_app

    runner.invoke(cli, ["migrate"])
    created = runner.invoke(cli, ["keys", "create", "--name", "alice", "--role", "editor"])
    assert created.exit_code == 0
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("pl_")
    listed = runner.invoke(cli, ["keys", "list"])
    assert "alice" in listed.output and "editor" in listed.output and key not in listed.output
    with TestClient(create_app(get_engines())) as client:
        auth = {"Authorization": f"Bearer {key}"}
        assert client.post("/v1/topics", json={"name": "By Alice"}, headers=auth).status_code == 201
        assert runner.invoke(cli, ["keys", "revoke", "1"]).exit_code == 0
        assert client.post("/v1/topics", json={"name": "Again"}, headers=auth).status_code == 401
    assert runner.invoke(cli, ["keys", "revoke", "99"]).exit_code == 1
    assert runner.invoke(cli, ["keys", "create", "--name", "x", "--role", "owner"]).exit_code != 0
    database = Path(fresh_sqlite.removeprefix("sqlite:///"))
    stored = b"".join(p.read_bytes() for p in database.parent.glob("cli.db*"))
    assert key.encode() not in stored
