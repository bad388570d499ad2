"""Annotations: span round trip, JSON-LD, threads, filters, and re-anchoring on revision."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.db import Engines
from tests.helpers import bearer, match

ARTICLE = 1
EXACT = "Kim’s visit to China"


def span(client: TestClient, exact: str, document: int = ARTICLE) -> dict[str, Any]:
    body = client.get(f"/v1/documents/{document}").json()["body"]
    start = body.index(exact)
    return {"exact": exact, "start": start, "end": start + len(exact)}


def annotate(client: TestClient, **extra: Any) -> Any:
    body = {"target": {"type": "document", "id": ARTICLE, "selector": span(client, EXACT)},
            "body": "Which *dates* exactly?", "format": "text/markdown",
            "motivation": "questioning", "tags": ["dates", "kim"], **extra}
    return client.post("/v1/annotations", json=body)


def test_span_annotation_round_trips(seeded: Engines, client: TestClient) -> None:
    created = annotate(client)
    assert created.status_code == 201, created.text
    note = created.json()
    assert created.headers["location"] == f"/v1/annotations/{note['id']}"
    assert note["target"]["selector"]["exact"] == EXACT
    assert note["target"]["selector"]["status"] == "anchored"
    assert note["tags"] == ["dates", "kim"]
    assert client.get(f"/v1/annotations/{note['id']}").json() == note


def test_span_annotation_as_web_annotation_json_ld(seeded: Engines, client: TestClient) -> None:
    note = annotate(client).json()
    response = client.get(f"/v1/annotations/{note['id']}",
                          headers={"Accept": "application/ld+json"})
    assert response.headers["content-type"].startswith("application/ld+json")
    doc = response.json()
    # the W3C model's required fields: @context, id, type, target (with source)
    assert doc["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert doc["id"].endswith(f"/v1/annotations/{note['id']}")
    assert doc["type"] == "Annotation"
    assert doc["target"]["source"].endswith(f"/v1/documents/{ARTICLE}")
    selectors = {sel["type"]: sel for sel in doc["target"]["selector"]}
    assert selectors["TextQuoteSelector"]["exact"] == EXACT
    assert selectors["TextPositionSelector"]["end"] - selectors["TextPositionSelector"][
        "start"] == len(EXACT)
    assert doc["body"][0] == {"type": "TextualBody", "value": "Which *dates* exactly?",
                              "format": "text/markdown", "purpose": "questioning"}
    assert {"type": "TextualBody", "value": "kim", "purpose": "tagging"} in doc["body"]


def test_collection_is_an_annotation_page(seeded: Engines, client: TestClient) -> None:
    annotate(client)
    annotate(client)
    page = client.get("/v1/annotations", params={"limit": 1},
                      headers={"Accept": "application/ld+json"}).json()
    assert page["type"] == "AnnotationPage" and len(page["items"]) == 1
    assert "cursor=" in page["next"]
    assert page["items"][0]["type"] == "Annotation"


def test_replies_form_a_thread(
    seeded: Engines, client: TestClient, keys: dict[str, str]
) -> None:
    parent = annotate(client).json()
    reply = client.post("/v1/annotations", json={"reply_to_id": parent["id"],
                                                 "body": "2 to 4 September 2025."},
                        headers=bearer(keys["analyst"])).json()
    assert reply["motivation"] == "replying"
    assert (parent["author"], reply["author"]) == ("editor", "analyst")
    assert reply["target"] == {"type": "annotation", "id": parent["id"], "selector": None}
    thread = client.get("/v1/annotations", params={"reply_to": parent["id"]}).json()["items"]
    assert [r["id"] for r in thread] == [reply["id"]]
    parent_url, reply_url = (f"/v1/annotations/{n['id']}" for n in (parent, reply))
    assert client.delete(parent_url, headers=match(client, parent_url)).status_code == 409
    as_analyst = {**match(client, reply_url), **bearer(keys["analyst"])}
    assert client.delete(reply_url, headers=as_analyst).status_code == 204


def test_filter_by_tag_author_motivation_and_target(
    seeded: Engines, client: TestClient, keys: dict[str, str]
) -> None:
    first = annotate(client).json()
    client.post("/v1/annotations", json={"target": {"type": "prediction", "id": 1},
                                         "body": "Too vague to score.",
                                         "motivation": "assessing", "tags": ["vague"]},
                headers=bearer(keys["analyst"]))
    get = lambda **p: [a["id"] for a in client.get("/v1/annotations", params=p).json()["items"]]  # noqa: E731
    assert get(tag="kim") == [first["id"]]
    assert len(get(author="analyst")) == 1
    assert len(get(motivation="assessing")) == 1
    assert len(get(target_type="prediction", target_id=1)) == 1
    assert get(created_after="2999-01-01") == []


@pytest.mark.parametrize(
    "target",
    [
        {"type": "prediction", "id": 999},
        {"type": "prediction", "id": 1, "selector": {"exact": "x", "start": 0, "end": 1}},
        {"type": "document", "id": 1, "selector": {"exact": "Nothing like it", "start": 0,
                                                   "end": 15}},
    ],
)
def test_targets_that_do_not_exist_or_do_not_match_are_refused(
    seeded: Engines, client: TestClient, target: dict[str, Any]
) -> None:
    response = client.post("/v1/annotations",
                           json={"target": target, "body": "x"})
    assert response.status_code == 409


def test_patch_changes_body_and_tags(seeded: Engines, client: TestClient) -> None:
    note = annotate(client).json()
    changed = client.patch(f"/v1/annotations/{note['id']}",
                           json={"body": "Answered.", "tags": ["done"]},
                               headers=match(client, f"/v1/annotations/{note['id']}")).json()
    assert (changed["body"], changed["tags"], changed["version"]) == ("Answered.", ["done"], 2)
    assert changed["target"] == note["target"]


def test_revising_the_article_reanchors_every_quote_and_annotation(
    seeded: Engines, client: TestClient
) -> None:
    note = annotate(client).json()
    before = {p["id"]: p["quote"] for p in client.get("/v1/predictions").json()["items"]}
    body = client.get(f"/v1/documents/{ARTICLE}").json()["body"]

    inserted = "Editor's note: this article was updated.\n" + body
    assert client.patch(f"/v1/documents/{ARTICLE}", json={"body": inserted},
        headers=match(client, f"/v1/documents/{ARTICLE}")).status_code == 200
    shift = len("Editor's note: this article was updated.\n")
    after = {p["id"]: p["quote"] for p in client.get("/v1/predictions").json()["items"]}
    for pid, quote in after.items():
        assert quote["status"] == "anchored"
        assert quote["start"] == before[pid]["start"] + shift
        assert inserted[quote["start"]:quote["end"]] == quote["exact"] == before[pid]["exact"]
    moved = client.get(f"/v1/annotations/{note['id']}").json()["target"]["selector"]
    assert inserted[moved["start"]:moved["end"]] == EXACT and moved["status"] == "anchored"

    gone = before[8]["exact"]  # "if the U.S. were to offer conciliatory measures ..."
    deleted = inserted.replace(gone, "")
    assert client.patch(f"/v1/documents/{ARTICLE}", json={"body": deleted},
        headers=match(client, f"/v1/documents/{ARTICLE}")).status_code == 200
    final = {p["id"]: p["quote"] for p in client.get("/v1/predictions").json()["items"]}
    assert len(final) == len(before)  # none lost
    assert final[8]["status"] == "orphaned" and final[8]["exact"] == gone
    for pid, quote in final.items():
        if pid != 8:
            assert quote["status"] == "anchored"
            assert deleted[quote["start"]:quote["end"]] == quote["exact"]


def test_a_slightly_edited_quote_is_found_approximately(
    seeded: Engines, client: TestClient
) -> None:
    body = client.get(f"/v1/documents/{ARTICLE}").json()["body"]
    quote = client.get("/v1/predictions/5").json()["quote"]
    edited = body.replace(quote["exact"], quote["exact"].replace("will likely", "will probably"))
    client.patch(f"/v1/documents/{ARTICLE}", json={"body": edited},
        headers=match(client, f"/v1/documents/{ARTICLE}"))
    fuzzy = client.get("/v1/predictions/5").json()["quote"]
    assert fuzzy["status"] == "fuzzy"
    assert edited[fuzzy["start"]:fuzzy["end"]] == fuzzy["exact"]
    assert "will probably remain unchanged" in fuzzy["exact"]
