"""Lists: keyset pages, Link headers, whitelisted filters, sorting and includes."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.db import Engines
from tests.helpers import match


def all_pages(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    items, cursor = [], None
    for _ in range(1000):  # bounded: a pagination bug must fail, not hang
        body = client.get(path, params={**params, **({"cursor": cursor} if cursor else {})}).json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


def test_pages_cover_every_record_once(seeded: Engines, client: TestClient) -> None:
    items = all_pages(client, "/v1/actors", limit=3)
    assert len(items) == 14
    assert len({a["id"] for a in items}) == 14


def test_next_page_is_linked_in_the_header(seeded: Engines, client: TestClient) -> None:
    response = client.get("/v1/topics", params={"limit": 5})
    cursor = response.json()["next_cursor"]
    assert response.headers["link"].endswith(f'cursor={cursor}>; rel="next"')
    last = client.get("/v1/topics", params={"limit": 50})
    assert "link" not in last.headers and last.json()["next_cursor"] is None


def test_descending_sort_with_missing_values_puts_them_last(
    seeded: Engines, client: TestClient
) -> None:
    items = all_pages(client, "/v1/events", sort="-starts_on", limit=2)
    dates = [e["starts_on"] for e in items]
    known = [d for d in dates if d is not None]
    assert known == sorted(known, reverse=True)
    assert dates[len(known):] == [None] * (len(dates) - len(known))
    assert len(items) == 6


def test_total_only_when_asked(seeded: Engines, client: TestClient) -> None:
    assert client.get("/v1/predictions").json()["total"] is None
    assert client.get("/v1/predictions", params={"count": "true", "limit": 1}).json()["total"] == 10


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"analyst": "yoo-hyun-jung"}, 8),
        ({"analyst": "analysts"}, 2),
        ({"organization": "inss"}, 8),
        ({"report": "inss-changes-in-chinas-north-korea-policy-after-victory-day"}, 10),
        ({"actor": "united-states"}, 6),
        ({"topic": "denuclearization"}, 3),
        ({"event": "kim-xi-summit-2025"}, 1),
        ({"conditional": "true"}, 3),
        ({"conditional": "false"}, 7),
        ({"status": "open"}, 10),
        ({"status": "resolved"}, 0),
        ({"analyst": "no-such-analyst"}, 0),
    ],
)
def test_prediction_filters(
    seeded: Engines, client: TestClient, params: dict[str, str], expected: int
) -> None:
    response = client.get("/v1/predictions", params={**params, "limit": 200})
    assert response.status_code == 200
    assert len(response.json()["items"]) == expected


def test_filter_by_numeric_id_equals_filter_by_slug(seeded: Engines, client: TestClient) -> None:
    analyst = client.get("/v1/analysts", params={"kind": "person"}).json()["items"][0]
    by_id = client.get("/v1/predictions", params={"analyst": str(analyst["id"])}).json()
    by_slug = client.get("/v1/predictions", params={"analyst": analyst["slug"]}).json()
    assert by_id == by_slug


def test_resolve_by_and_published_ranges(seeded: Engines, client: TestClient) -> None:
    first = client.get("/v1/predictions").json()["items"][0]
    client.patch(f"/v1/predictions/{first['id']}", json={"resolve_by": "2027-06-30"},
        headers=match(client, f"/v1/predictions/{first['id']}"))
    found = client.get("/v1/predictions", params={"resolve_by_after": "2027-01-01",
                                                  "resolve_by_before": "2027-12-31"}).json()
    assert [p["id"] for p in found["items"]] == [first["id"]]
    none = client.get("/v1/predictions", params={"published_after": "2020-01-01"}).json()
    assert none["items"] == []  # the report has no known publication day


def test_recommendation_filters(seeded: Engines, client: TestClient) -> None:
    get = lambda **p: client.get("/v1/recommendations", params=p).json()["items"]  # noqa: E731
    assert len(get(organization="uscc")) == 1
    assert len(get(organization="inss")) == 2
    assert len(get(addressee="south-korea")) == 2
    assert len(get(status="open")) == 3
    assert len(get(issued_before="2023-01-01")) == 1
    assert len(get(topic="indo-pacific-strategy")) == 1


def test_include_embeds_related_records(seeded: Engines, client: TestClient) -> None:
    item = client.get(
        "/v1/predictions", params={"include": ["analyst", "report", "topics"], "limit": 1}
    ).json()["items"][0]
    assert item["analyst"]["id"] == item["analyst_id"]
    assert item["report"]["id"] == item["report_id"]
    assert [t["id"] for t in item["topics"]] == item["topic_ids"]
    assert item["actors"] is None


def test_get_one_with_include(seeded: Engines, client: TestClient) -> None:
    report = client.get("/v1/reports/1", params={"include": ["publisher", "documents"]}).json()
    assert report["publisher"]["slug"] == "inss"
    assert report["documents"][0]["sha256"]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"cursor": "not-a-cursor"}, 400),
        ({"cursor": "eyJzIjoiaWQifQ"}, 400),
        ({"limit": "201"}, 422),
        ({"limit": "0"}, 422),
        ({"sort": "statement"}, 422),
        ({"colour": "red"}, 422),
        ({"include": "secrets"}, 422),
        ({"status": "maybe"}, 422),
        ({"resolve_by_before": "tomorrow"}, 422),
    ],
)
def test_bad_list_parameters_are_problems(
    client: TestClient, params: dict[str, str], status: int
) -> None:
    response = client.get("/v1/predictions", params=params)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


def test_cursor_from_another_sort_is_refused(seeded: Engines, client: TestClient) -> None:
    cursor = client.get("/v1/predictions", params={"limit": 2}).json()["next_cursor"]
    response = client.get("/v1/predictions", params={"limit": 2, "sort": "-id", "cursor": cursor})
    assert response.status_code == 400


def _cursor(payload: dict[str, Any]) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("sort", "payload"),
    [
        ("created_at", {"s": "created_at", "v": "2025-01-01T00:00:00", "i": 1}),
        ("created_at", {"s": "created_at", "v": None, "i": 1}),
        ("created_at", {"s": "created_at", "v": [1], "i": 1}),
        ("id", {"s": "id", "v": "x", "i": 1}),
        ("id", {"s": "id", "v": 1, "i": "1"}),
        ("resolve_by", {"s": "resolve_by", "v": "soon", "i": 1}),
    ],
)
def test_tampered_cursors_are_bad_requests(
    client: TestClient, sort: str, payload: dict[str, Any]
) -> None:
    response = client.get("/v1/predictions", params={"sort": sort, "cursor": _cursor(payload)})
    assert response.status_code == 400


def test_cursor_paging_by_timestamp(seeded: Engines, client: TestClient) -> None:
    items = all_pages(client, "/v1/predictions", sort="-created_at", limit=3)
    assert len({p["id"] for p in items}) == 10
