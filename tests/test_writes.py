"""Create, change and delete records; a refused write changes nothing."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.db import Engines
from tests.helpers import match
from tests.test_seed import row_counts

ARTICLE_ID = 1


def new_prediction(**overrides: Any) -> dict[str, Any]:
    body = {
        "report_id": 1,
        "analyst_id": 1,
        "statement": "China will keep its denuclearization principle.",
        "quote": {"document_id": ARTICLE_ID, "exact": "will likely remain unchanged",
                  "start": 1945, "end": 1973},
        "cue": "will likely",
        "actor_ids": [1],
    }
    return {**body, **overrides}


def test_create_prediction_derives_slug_context_and_implied_probability(
    seeded: Engines, client: TestClient
) -> None:
    response = client.post("/v1/predictions", json=new_prediction())
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"/v1/predictions/{created['id']}"
    assert created["slug"].startswith("china-will-keep-its-denuclearization-principle")
    assert created["quote"]["prefix"] == "China’s strategic interests and "
    assert created["quote"]["suffix"].startswith(". However, she expects")
    assert (created["implied_probability"], created["estimative_term"]) == (0.675, "likely")
    assert client.get(f"/v1/predictions/{created['id']}").json() == created


def test_quote_that_does_not_match_the_text_is_refused(
    seeded: Engines, client: TestClient
) -> None:
    before = row_counts(seeded)
    body = new_prediction(quote={"document_id": ARTICLE_ID, "exact": "will surely remain unchanged",
                                 "start": 1945, "end": 1973})
    response = client.post("/v1/predictions", json=body)
    assert response.status_code == 409
    assert "quote.exact" in response.json()["detail"]
    assert row_counts(seeded) == before


def test_quote_with_wrong_prefix_is_refused(seeded: Engines, client: TestClient) -> None:
    quote = {"document_id": ARTICLE_ID, "exact": "will likely remain unchanged",
             "start": 1945, "end": 1973, "prefix": "nothing like it "}
    response = client.post("/v1/predictions", json=new_prediction(quote=quote))
    assert response.status_code == 409


def test_unknown_reference_is_a_conflict_and_changes_nothing(
    seeded: Engines, client: TestClient
) -> None:
    before = row_counts(seeded)
    response = client.post("/v1/predictions", json=new_prediction(actor_ids=[1, 999]))
    assert response.status_code == 409
    assert "999" in response.json()["detail"]
    assert row_counts(seeded) == before


def test_validation_errors_name_the_fields(client: TestClient) -> None:
    response = client.post("/v1/predictions", json={"statement": "", "probability": 2})
    assert response.status_code == 422
    problem = response.json()
    locs = {tuple(e["loc"]) for e in problem["errors"]}
    assert {("body", "report_id"), ("body", "statement"), ("body", "probability")} <= locs
    assert problem["status"] == 422 and problem["title"]


@pytest.mark.parametrize(
    "body",
    [
        {"probability": True},
        {"probability": "0.5"},
        {"resolve_by": 0},
        {"report_id": "1"},
        {"unknown": 1},
    ],
)
def test_loose_types_are_refused(seeded: Engines, client: TestClient, body: dict[str, Any]) -> None:
    assert client.post("/v1/predictions", json=new_prediction(**body)).status_code == 422


def test_patch_changes_only_what_was_sent_and_bumps_the_version(
    seeded: Engines, client: TestClient
) -> None:
    before = client.get("/v1/predictions/1").json()
    response = client.patch("/v1/predictions/1", json={"probability": 0.7, "cue": "might"},
        headers=match(client, "/v1/predictions/1"))
    after = response.json()
    assert response.status_code == 200
    assert after["version"] == before["version"] + 1
    assert (after["probability"], after["implied_probability"]) == (0.7, 0.375)
    assert after["statement"] == before["statement"] and after["quote"] == before["quote"]


def test_patch_null_on_a_required_field_is_refused(seeded: Engines, client: TestClient) -> None:
    assert client.patch("/v1/predictions/1", json={"statement": None},
        headers=match(client, "/v1/predictions/1")).status_code == 422
    assert client.get("/v1/predictions/1").json()["version"] == 1


def test_patch_links_replaces_them(seeded: Engines, client: TestClient) -> None:
    response = client.patch("/v1/predictions/1", json={"topic_ids": [3, 2, 3]},
        headers=match(client, "/v1/predictions/1"))
    assert response.json()["topic_ids"] == [2, 3]


def test_clearing_the_condition_makes_a_prediction_unconditional(
    seeded: Engines, client: TestClient
) -> None:
    response = client.patch("/v1/predictions/1", json={"condition": None},
        headers=match(client, "/v1/predictions/1"))
    assert (response.json()["conditional"], response.json()["condition_status"]) == (False, None)


def test_slug_taken_is_a_conflict(seeded: Engines, client: TestClient) -> None:
    response = client.post("/v1/actors", json={"slug": "china", "name": "China", "kind": "state"})
    assert response.status_code == 409


def test_delete_referenced_record_is_a_conflict(seeded: Engines, client: TestClient) -> None:
    before = row_counts(seeded)
    assert client.delete("/v1/actors/1", headers=match(client, "/v1/actors/1")).status_code == 409
    assert row_counts(seeded) == before


def test_delete_prediction_removes_it_and_its_links(seeded: Engines, client: TestClient) -> None:
    assert client.delete("/v1/predictions/1",
        headers=match(client, "/v1/predictions/1")).status_code == 204
    assert client.get("/v1/predictions/1").status_code == 404
    assert row_counts(seeded)["prediction_actor"] < 60
    assert client.delete("/v1/predictions/1",
        headers=match(client, "/v1/predictions/1")).status_code == 404


def test_document_rewritten_entirely_orphans_its_quotes(
    seeded: Engines, client: TestClient
) -> None:
    response = client.patch(f"/v1/documents/{ARTICLE_ID}", json={"body": "Rewritten."},
        headers=match(client, f"/v1/documents/{ARTICLE_ID}"))
    assert response.status_code == 200
    quotes = [p["quote"] for p in client.get("/v1/predictions").json()["items"]]
    assert {q["status"] for q in quotes} == {"orphaned"}
    assert all(q["exact"] for q in quotes)


def test_document_sha256_follows_its_body(client: TestClient) -> None:
    created = client.post("/v1/documents", json={"title": "Note", "body": "abc"}).json()
    assert created["sha256"] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    changed = client.patch(f"/v1/documents/{created['id']}", json={"body": "abcd"},
        headers=match(client, f"/v1/documents/{created['id']}")).json()
    assert changed["sha256"].startswith("88d4266fd4e6338d")


def test_recommendation_needs_an_attribution(seeded: Engines, client: TestClient) -> None:
    response = client.post("/v1/recommendations", json={"statement": "Do it."})
    assert response.status_code == 409
    response = client.patch("/v1/recommendations/3", json={"organization_id": None},
        headers=match(client, "/v1/recommendations/3"))
    assert response.status_code == 409


def test_event_dates_must_be_in_order(client: TestClient) -> None:
    body = {"name": "Summit", "starts_on": "2025-09-02", "ends_on": "2025-09-01"}
    assert client.post("/v1/events", json=body).status_code == 409
    created = client.post("/v1/events", json={"name": "Summit", "starts_on": "2025-09-02"}).json()
    assert client.patch(f"/v1/events/{created['id']}",
                        json={"ends_on": "2025-09-01"},
                            headers=match(client, f"/v1/events/{created['id']}")).status_code == 409


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/organizations", {"name": "Asan Institute", "kind": "institute", "country": "KR"}),
        ("/v1/analysts", {"name": "Jane Doe", "title": "fellow"}),
        ("/v1/actors", {"name": "Japan", "kind": "state", "aliases": ["Tokyo"]}),
        ("/v1/topics", {"name": "Sanctions"}),
        ("/v1/events", {"name": "APEC summit", "starts_on": "2025-10-31",
                        "date_precision": "day"}),
        ("/v1/reports", {"title": "Annual Report", "published_on": "2022-11-15",
                         "published_precision": "day"}),
    ],
)
def test_every_record_type_round_trips(
    client: TestClient, path: str, body: dict[str, Any]
) -> None:
    created = client.post(path, json=body)
    assert created.status_code == 201, created.text
    item = f"{path}/{created.json()['id']}"
    assert client.get(item).json() == created.json()
    renamed = client.patch(item, json={"slug": "renamed"}, headers=match(client, item))
    assert renamed.json()["slug"] == "renamed"
    assert client.delete(item, headers=match(client, item)).status_code == 204
    assert client.get(item).status_code == 404
