"""Link ids kept on a record's row: equal to its link table after every kind of write."""

import random
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from app.db import Engines
from tests.helpers import link_mismatches, match
from tests.test_writes import new_prediction


def ids(client: TestClient, records: str) -> list[int]:
    return [item["id"] for item in client.get(f"/v1/{records}?limit=200").json()["items"]]


def test_link_ids_on_rows_follow_every_write(seeded: Engines, client: TestClient) -> None:
    assert link_mismatches(seeded.read) == []  # the seed, loaded through the services
    rng = random.Random(7)
    pool = {name: ids(client, name)
            for name in ("actors", "topics", "events", "analysts", "documents")}

    def some(name: str) -> list[int]:
        """A few ids, unordered, with a repeat now and then (empty sometimes)."""
        chosen = rng.sample(pool[name], rng.randint(0, min(3, len(pool[name]))))
        return chosen + chosen[:1] if chosen and rng.random() < 0.3 else chosen

    made: list[tuple[str, dict[str, Any]]] = []
    for n in range(6):
        body = new_prediction(actor_ids=some("actors"), topic_ids=some("topics"),
                              event_ids=some("events"))
        made.append(("predictions", client.post("/v1/predictions", json=body).json()))
        made.append(("recommendations", client.post("/v1/recommendations", json={
            "statement": f"Seoul should try plan {n}.", "analyst_id": pool["analysts"][0],
            "actor_ids": some("actors"), "topic_ids": some("topics")}).json()))
        made.append(("reports", client.post("/v1/reports", json={
            "title": f"Report {n}", "author_ids": some("analysts"),
            "document_ids": some("documents")}).json()))
        made.append(("events", client.post("/v1/events", json={
            "name": f"Summit {n}", "actor_ids": some("actors"),
            "topic_ids": some("topics")}).json()))
    links = {"predictions": ("actor_ids", "topic_ids", "event_ids"),
             "recommendations": ("actor_ids", "topic_ids"),
             "reports": ("author_ids", "document_ids"), "events": ("actor_ids", "topic_ids")}
    pools = {"actor_ids": "actors", "topic_ids": "topics", "event_ids": "events",
             "author_ids": "analysts", "document_ids": "documents"}
    for records, created in made:
        assert "id" in created, created
        item = f"/v1/{records}/{created['id']}"
        field = rng.choice(links[records])
        changed = client.patch(item, json={field: some(pools[field])}, headers=match(client, item))
        assert changed.status_code == 200, changed.text
        assert client.get(item).json() == changed.json()
    assert link_mismatches(seeded.read) == []

    # The order the responses show: a byline as given, other links ascending; no repeats.
    report = client.post("/v1/reports", json={"title": "Byline", "author_ids": [2, 1, 2]}).json()
    assert report["author_ids"] == [2, 1]
    prediction = client.post("/v1/predictions", json=new_prediction(actor_ids=[3, 1, 3])).json()
    assert prediction["actor_ids"] == [1, 3]
    # A refused write changes neither the row nor the link table.
    item = f"/v1/predictions/{prediction['id']}"
    refused = client.patch(item, json={"actor_ids": [1, 999999]}, headers=match(client, item))
    assert refused.status_code == 409
    assert client.get(item).json()["actor_ids"] == [1, 3]
    assert link_mismatches(seeded.read) == []


def test_a_page_shows_the_stored_link_ids(seeded: Engines, client: TestClient) -> None:
    created = client.post("/v1/predictions", json=new_prediction(topic_ids=[2, 1])).json()
    page = client.get(f"/v1/predictions?topic={created['topic_ids'][0]}&limit=100").json()
    listed = next(item for item in page["items"] if item["id"] == created["id"])
    assert listed["topic_ids"] == [1, 2] == created["topic_ids"]
    with seeded.read.connect() as conn:
        stored = conn.execute(text("SELECT topic_ids FROM prediction WHERE id = :i"),
                              {"i": created["id"]}).scalar()
    assert stored in ("[1,2]", [1, 2])  # compact JSON text on SQLite, jsonb on PostgreSQL
