"""The curated seed: complete, exact, idempotent, and refused whole when a quote is wrong."""

import hashlib
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.db import Engines, session_scope
from app.models import metadata
from app.seeding import SeedError, load_seed, read_seed
from tests.conftest import SEED_FILE

ARTICLE = SEED_FILE.parent / "2025-inss-china-north-korea-policy-after-victory-day.txt"
# SHA-256 of the source article as received; the copy in seeds/ must stay byte-identical.
ARTICLE_SHA256 = "367e4e054e5e7da4077287f7d5659179b33a5310b3d7e503f30325456bcfd830"


def row_counts(engines: Engines) -> dict[str, int]:
    with engines.read.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables
        }


def test_article_copy_is_unchanged() -> None:
    assert hashlib.sha256(ARTICLE.read_bytes()).hexdigest() == ARTICLE_SHA256


def test_seed_twice_gives_the_same_rows(seeded: Engines) -> None:
    before = row_counts(seeded)
    with session_scope(seeded.write) as session:
        report = load_seed(session, read_seed(SEED_FILE))
    assert report.created == 0
    assert row_counts(seeded) == before
    assert before["prediction"] == 10 and before["recommendation"] == 3


def test_seed_with_an_altered_quote_is_refused_and_changes_nothing(
    engines: Engines, tmp_path: Path
) -> None:
    data = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    target = data["predictions"][4]
    target["quote"]["exact"] = target["quote"]["exact"].replace("likely", "surely")
    altered = tmp_path / "ledger.yaml"
    altered.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (tmp_path / ARTICLE.name).write_bytes(ARTICLE.read_bytes())
    before = row_counts(engines)

    with pytest.raises(SeedError, match=f"predictions/{target['slug']}"):
        read_seed(altered)

    assert row_counts(engines) == before


def test_seed_failing_midway_leaves_the_database_unchanged(
    engines: Engines, tmp_path: Path
) -> None:
    data = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    data["recommendations"][0]["addressee"] = "atlantis"
    altered = tmp_path / "ledger.yaml"
    altered.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (tmp_path / ARTICLE.name).write_bytes(ARTICLE.read_bytes())
    before = row_counts(engines)

    with pytest.raises(SeedError, match="atlantis"), session_scope(engines.write) as session:
        load_seed(session, read_seed(altered))

    assert row_counts(engines) == before


def test_every_seeded_quote_selects_its_text_in_the_stored_article(
    seeded: Engines, client: TestClient
) -> None:
    documents = {d["id"]: d["body"] for d in client.get("/v1/documents").json()["items"]}
    claims = (
        client.get("/v1/predictions").json()["items"]
        + client.get("/v1/recommendations").json()["items"]
    )
    assert len(claims) == 13
    for claim in claims:
        quote = claim["quote"]
        assert documents[quote["document_id"]][quote["start"]:quote["end"]] == quote["exact"]


def test_stored_article_is_byte_identical_to_the_seed_file(
    seeded: Engines, client: TestClient
) -> None:
    (doc,) = client.get("/v1/documents").json()["items"]
    assert doc["body"].encode("utf-8") == ARTICLE.read_bytes()
    assert doc["sha256"] == ARTICLE_SHA256


def test_yoo_predictions_carry_cues_conditions_and_implied_probabilities(
    seeded: Engines, client: TestClient
) -> None:
    items = client.get("/v1/predictions", params={"analyst": "yoo-hyun-jung"}).json()["items"]
    cues = {p["cue"] for p in items}
    assert len(items) == 8
    assert {"might", "could", "predicts … would likely", "argues … will likely"} <= cues
    conditional = [p for p in items if p["conditional"]]
    assert {p["condition"] for p in conditional} == {
        "U.S.-China tensions escalate.",
        "The United States offers conciliatory measures to North Korea.",
    }
    assert all(p["condition_status"] == "pending" for p in conditional)
    by_cue = {p["cue"]: p for p in items}
    assert by_cue["argues … will likely"]["implied_probability"] == pytest.approx(0.675)
    assert by_cue["might"]["estimative_term"] == "possible"


def test_unnamed_analysts_group_makes_its_own_forecasts(
    seeded: Engines, client: TestClient
) -> None:
    group = client.get("/v1/analysts", params={"kind": "group"}).json()["items"]
    assert [a["slug"] for a in group] == ["analysts"]
    theirs = client.get("/v1/predictions", params={"analyst": "analysts"}).json()["items"]
    assert len(theirs) == 2
    assert all("China’s" in p["statement"] for p in theirs)


def test_recommendations_name_their_addressees(seeded: Engines, client: TestClient) -> None:
    items = client.get("/v1/recommendations", params={"include": "addressee"}).json()["items"]
    addressees = {r["slug"]: r["addressee"]["slug"] for r in items}
    assert addressees["uscc-leverage-north-korea-china-rift"] == "us-congress"
    assert list(addressees.values()).count("south-korea") == 2
    uscc = next(r for r in items if r["slug"] == "uscc-leverage-north-korea-china-rift")
    assert (uscc["issued_on"], uscc["issued_precision"]) == ("2022-01-01", "year")


def test_report_keeps_the_articles_date_wording_without_inventing_a_day(
    seeded: Engines, client: TestClient
) -> None:
    (report,) = client.get("/v1/reports", params={"include": "authors"}).json()["items"]
    assert report["published_on"] is None
    assert (report["published_precision"], report["published_wording"]) == (
        "unknown", "On Wednesday"
    )
    assert [a["name"] for a in report["authors"]] == ["Yoo Hyun Jung"]


def test_dated_events_are_seeded(seeded: Engines, client: TestClient) -> None:
    events = {e["slug"]: e for e in client.get("/v1/events", params={"limit": 50}).json()["items"]}
    starts = {(e["starts_on"], e["ends_on"], e["date_precision"]) for e in events.values()}
    assert ("2025-08-31", "2025-09-01", "day") in starts
    assert ("2025-09-03", None, "day") in starts


def test_actor_aliases_are_seeded(seeded: Engines, client: TestClient) -> None:
    actors = {a["slug"]: a for a in client.get("/v1/actors").json()["items"]}
    assert "Pyongyang" in actors["north-korea"]["aliases"]
    assert "Beijing" in actors["china"]["aliases"]
