"""Full-text search on SQLite (FTS5) and PostgreSQL (tsvector): ranking, syntax, safety."""

from itertools import pairwise

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.db import Engines
from app.search import service
from app.search.index import TYPES
from tests.helpers import match


def hits(client: TestClient, q: str, **params: object) -> list[tuple[str, int]]:
    response = client.get("/v1/search", params={"q": q, "limit": 50, **params})
    assert response.status_code == 200, response.text
    return [(h["type"], h["id"]) for h in response.json()["items"]]


def test_denuclearization_finds_the_seeded_predictions_first(
    seeded: Engines, client: TestClient
) -> None:
    items = client.get("/v1/search", params={"q": "denuclearization"}).json()["items"]
    relevant = {p["id"] for p in client.get(
        "/v1/predictions", params={"topic": "denuclearization"}).json()["items"]}
    assert len(relevant) == 3
    assert {(h["type"], h["id"]) for h in items[:3]} == {("prediction", i) for i in relevant}
    assert ("document", 1) in [(h["type"], h["id"]) for h in items[3:]]
    assert all("<mark>" in h["snippet"] for h in items if h["type"] == "prediction")
    assert [h["score"] for h in items] == sorted((h["score"] for h in items), reverse=True)


def test_phrases_prefixes_and_exclusions(seeded: Engines, client: TestClient) -> None:
    assert ("prediction", 1) in hits(client, '"strategic value"')
    assert ("prediction", 1) not in hits(client, '"value strategic"')
    assert set(hits(client, "denuclear*", type="prediction")) == set(
        hits(client, "denuclearization", type="prediction"))
    with_tourism = set(hits(client, "economic", type="prediction"))
    without = set(hits(client, "economic -tourism", type="prediction"))
    assert without and without < with_tourism


def test_actor_aliases_match(seeded: Engines, client: TestClient) -> None:
    about_north_korea = {p["id"] for p in client.get(
        "/v1/predictions", params={"actor": "north-korea", "limit": 200}).json()["items"]}
    found = {i for t, i in hits(client, "Pyongyang", type="prediction")}
    assert about_north_korea and about_north_korea <= found


def test_q_filters_the_lists(seeded: Engines, client: TestClient) -> None:
    listed = client.get("/v1/predictions", params={"q": "denuclearization"}).json()["items"]
    assert {p["id"] for p in listed} == {i for _, i in hits(client, "denuclearization",
                                                            type="prediction")}
    assert client.get("/v1/recommendations", params={"q": "Indo-Pacific"}).json()["items"]
    assert client.get("/v1/actors", params={"q": "Seoul"}).json()["items"][0]["slug"] == (
        "south-korea")


def test_index_follows_writes(seeded: Engines, client: TestClient) -> None:
    created = client.post("/v1/predictions", json={
        "report_id": 1, "analyst_id": 1, "statement": "Zanzibarian quagmire deepens."}).json()
    assert ("prediction", created["id"]) in hits(client, "zanzibarian")
    client.patch(f"/v1/predictions/{created['id']}", json={"statement": "Something else."},
        headers=match(client, f"/v1/predictions/{created['id']}"))
    assert hits(client, "zanzibarian") == []
    client.patch("/v1/actors/2", json={"aliases": ["Hermit Kingdom"]},
        headers=match(client, "/v1/actors/2"))
    assert ("prediction", 3) in hits(client, '"hermit kingdom"')
    client.delete(f"/v1/predictions/{created['id']}",
        headers=match(client, f"/v1/predictions/{created['id']}"))
    assert ("prediction", created["id"]) not in hits(client, "something")


def test_search_pages_cover_every_hit_once(seeded: Engines, client: TestClient) -> None:
    everything = hits(client, "china")
    seen, cursor = [], None
    for _ in range(len(everything)):
        params = {"q": "china", "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/search", params=params).json()
        seen += [(h["type"], h["id"]) for h in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything and len(seen) > 3


def test_broad_words_are_ranked_in_windows_of_the_newest_matches(
    seeded: Engines, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a window of 4, "china" (more matches than that) ranks its 4 newest matches on
    the first page and pages on into older windows: every hit once, each window best first."""
    everything = hits(client, "china")
    assert len(everything) > 8
    monkeypatch.setattr(service, "WINDOW", 4)
    seen: list[dict[str, object]] = []
    cursor = None
    for _ in range(len(everything)):
        params = {"q": "china", "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/search", params=params).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted((h["type"], h["id"]) for h in seen) == sorted(everything)
    assert len({(h["type"], h["id"]) for h in seen}) == len(seen)
    keys = [int(h["id"]) * 8 + TYPES[str(h["type"])] for h in seen]
    windows = [keys[i:i + 4] for i in range(0, len(keys), 4)]
    assert all(min(a) > max(b) for a, b in pairwise(windows))
    for window in windows:
        scores = [h["score"] for h in seen if int(h["id"]) * 8 + TYPES[str(h["type"])] in window]
        assert scores == sorted(scores, reverse=True)
    assert all("<mark>" in str(h["snippet"]) for h in seen if h["type"] == "prediction")


HOSTILE = ['"unbalanced', "a AND", "NEAR(a b", "title:china", "body:x OR", "-", "*", "\x00",
           "(", ")", "^a", "'", "\\", "a' OR '1'='1", "!" * 10_000, ";" * 1000, "%_%", "&|!"]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_search_text_is_answered_not_crashed_on(
    seeded: Engines, client: TestClient, q: str
) -> None:
    for path in ("/v1/search", "/v1/predictions", "/v1/annotations"):
        response = client.get(path, params={"q": q[:1000]})
        assert response.status_code in (200, 400), (path, q, response.text)
        if response.status_code == 400:
            assert response.headers["content-type"] == "application/problem+json"


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(min_size=1, max_size=300))
def test_any_text_gives_results_or_a_400(seeded: Engines, client: TestClient, q: str) -> None:
    response = client.get("/v1/search", params={"q": q})
    assert response.status_code in (200, 400), response.text


@pytest.mark.parametrize("q", ['"north korea"', "korea -china", "korea*"])
def test_phrases_exclusions_and_prefixes_page_through_small_windows(
    seeded: Engines, client: TestClient, monkeypatch: pytest.MonkeyPatch, q: str
) -> None:
    """Windows are counted in records holding every word; a phrase or an exclusion matches
    fewer of them, and paging still shows each hit once, the first page as full as it can
    be (a window too poor to fill it is followed by larger ones)."""
    everything = hits(client, q)
    assert len(everything) > 4
    monkeypatch.setattr(service, "WINDOW", 1)
    first = client.get("/v1/search", params={"q": q, "limit": 4}).json()["items"]
    assert len(first) == 4
    seen: list[tuple[str, int]] = []
    cursor = None
    for _ in range(len(everything)):
        params = {"q": q, "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/search", params=params).json()
        seen += [(h["type"], h["id"]) for h in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(everything)
    assert len(set(seen)) == len(seen)


def test_an_exclusion_beside_stop_words_still_finds_records(
    seeded: Engines, client: TestClient
) -> None:
    """PostgreSQL drops "the" as a stop word, leaving "everything without zanzibar"; SQLite
    looks for "the". Either way records are found, the same way on every page size."""
    found = hits(client, "the -zanzibar")
    assert len(found) > 5
    assert hits(client, "the -zanzibar", limit=3)[:3] == found[:3]
