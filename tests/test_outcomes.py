"""Resolutions, condition checks, forecasts and recommendation status: append-only history."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.db import Engines
from tests.helpers import match
from tests.test_seed import row_counts

EVIDENCE = [{"title": "Ministry statement", "url": "https://example.org/statement",
             "quote": "Our position on denuclearization is unchanged.",
             "published_on": "2026-02-01"}]


def resolve(client: TestClient, pid: int, **body: Any) -> Any:
    payload = {"outcome": "true", "outcome_known_on": "2026-02-01", "evidence": EVIDENCE, **body}
    return client.post(f"/v1/predictions/{pid}/resolutions", json=payload)


def test_resolution_with_evidence_shows_on_the_prediction(
    seeded: Engines, client: TestClient
) -> None:
    response = resolve(client, 5, rationale="Beijing restated it.", recorded_by="editor")
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["current"] is True and created["evidence"][0]["title"] == "Ministry statement"
    prediction = client.get("/v1/predictions/5").json()
    assert (prediction["status"], prediction["outcome"]) == ("resolved", "true")
    assert prediction["resolution_id"] == created["id"]
    assert prediction["outcome_known_on"] == "2026-02-01"


def test_resolving_twice_keeps_both_and_the_second_supersedes(
    seeded: Engines, client: TestClient
) -> None:
    first = resolve(client, 5).json()
    second = resolve(client, 5, outcome="false", supersedes_id=first["id"],
                     rationale="The first reading missed a policy shift.")
    assert second.status_code == 201
    history = client.get("/v1/predictions/5/resolutions").json()["items"]
    assert [(r["outcome"], r["current"]) for r in history] == [("true", False), ("false", True)]
    assert history[1]["supersedes_id"] == first["id"]
    assert client.get("/v1/predictions/5").json()["outcome"] == "false"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({}, "already resolved"),
        ({"supersedes_id": 999}, "already resolved"),
        ({"supersedes_id": 1}, "needs a rationale"),
    ],
)
def test_a_correction_must_name_the_current_resolution_and_say_why(
    seeded: Engines, client: TestClient, body: dict[str, Any], reason: str
) -> None:
    resolve(client, 5)
    before = row_counts(seeded)
    response = resolve(client, 5, outcome="false", **body)
    assert response.status_code == 409 and reason in response.json()["detail"]
    assert row_counts(seeded) == before


def test_first_resolution_cannot_claim_to_supersede(seeded: Engines, client: TestClient) -> None:
    assert resolve(client, 5, supersedes_id=1).status_code == 409


def test_outcome_known_in_the_future_is_refused(seeded: Engines, client: TestClient) -> None:
    assert resolve(client, 5, outcome_known_on="2999-01-01").status_code == 409


def test_resolutions_are_append_only_in_the_database(seeded: Engines, client: TestClient) -> None:
    resolve(client, 5)
    for statement in ("UPDATE resolution SET outcome = 'false'", "DELETE FROM resolution"):
        with pytest.raises(Exception, match="append-only"), seeded.write.begin() as conn:
            conn.execute(text(statement))
    assert client.get("/v1/predictions/5/resolutions").json()["items"][0]["outcome"] == "true"


def test_a_resolved_prediction_cannot_be_deleted(seeded: Engines, client: TestClient) -> None:
    resolve(client, 5)
    assert client.delete("/v1/predictions/5",
        headers=match(client, "/v1/predictions/5")).status_code == 409
    assert client.get("/v1/predictions/5").status_code == 200


def conditional_id(client: TestClient) -> int:
    items = client.get("/v1/predictions", params={"conditional": "true"}).json()["items"]
    return int(items[0]["id"])


def test_condition_not_met_makes_the_prediction_void(seeded: Engines, client: TestClient) -> None:
    pid = conditional_id(client)
    response = client.post(f"/v1/predictions/{pid}/condition-checks", json={
        "status": "not_met", "checked_on": "2026-03-01", "note": "Tensions eased.",
        "evidence": EVIDENCE})
    assert response.status_code == 201
    assert client.get(f"/v1/predictions/{pid}").json()["status"] == "void"
    void = client.get("/v1/predictions", params={"status": "void"}).json()["items"]
    assert [p["id"] for p in void] == [pid]
    assert resolve(client, pid).status_code == 409
    checks = client.get(f"/v1/predictions/{pid}/condition-checks").json()["items"]
    assert [c["status"] for c in checks] == ["not_met"]


def test_unconditional_predictions_take_no_condition_checks(
    seeded: Engines, client: TestClient
) -> None:
    unconditional = client.get("/v1/predictions", params={"conditional": "false"}).json()
    pid = unconditional["items"][0]["id"]
    response = client.post(f"/v1/predictions/{pid}/condition-checks",
                           json={"status": "met", "checked_on": "2026-03-01"})
    assert response.status_code == 409


def test_due_predictions_are_the_work_list_oldest_first(
    seeded: Engines, client: TestClient
) -> None:
    client.patch("/v1/predictions/3", json={"resolve_by": "2026-06-30"},
        headers=match(client, "/v1/predictions/3"))
    client.patch("/v1/predictions/7", json={"resolve_by": "2026-01-31"},
        headers=match(client, "/v1/predictions/7"))
    client.patch("/v1/predictions/8", json={"resolve_by": "2999-01-01"},
        headers=match(client, "/v1/predictions/8"))
    due = client.get("/v1/predictions", params={"status": "due"}).json()["items"]
    assert [p["id"] for p in due] == [7, 3]
    assert all(p["status"] == "due" for p in due)


def test_the_authors_probability_is_the_first_forecast(
    seeded: Engines, client: TestClient
) -> None:
    (initial,) = client.get("/v1/predictions/5/forecasts").json()["items"]
    assert (initial["kind"], initial["probability"], initial["forecaster_id"]) == (
        "initial", 0.675, 1)
    client.patch("/v1/predictions/5", json={"probability": 0.6},
        headers=match(client, "/v1/predictions/5"))
    (updated,) = client.get("/v1/predictions/5/forecasts").json()["items"]
    assert updated["probability"] == 0.6


def test_a_new_forecast_ends_the_forecasters_previous_one(
    seeded: Engines, client: TestClient
) -> None:
    url = "/v1/predictions/5/forecasts"
    first = client.post(url, json={"forecaster_id": 2, "probability": 0.2,
                                   "made_at": "2026-01-01T00:00:00Z"})
    second = client.post(url, json={"forecaster_id": 2, "probability": 0.4,
                                    "made_at": "2026-02-01T00:00:00+09:00", "rationale": "New."})
    assert first.status_code == second.status_code == 201
    history = {f["id"]: f for f in client.get(url).json()["items"]}
    assert history[first.json()["id"]]["valid_to"] == "2026-01-31T15:00:00Z"
    assert history[second.json()["id"]]["valid_to"] is None
    # current forecasts: the author's 0.675 and analyst 2's 0.4
    assert client.get("/v1/predictions/5").json()["community_probability"] == pytest.approx(0.5375)


@pytest.mark.parametrize(
    "body",
    [
        {"forecaster_id": 2, "probability": 0.5, "made_at": "2025-12-31T00:00:00Z"},
        {"forecaster_id": 999, "probability": 0.5},
        {"forecaster_id": 2, "probability": 0.5, "made_at": "2999-01-01T00:00:00Z"},
    ],
)
def test_forecasts_that_contradict_the_record_are_refused(
    seeded: Engines, client: TestClient, body: dict[str, Any]
) -> None:
    client.post("/v1/predictions/5/forecasts",
                json={"forecaster_id": 2, "probability": 0.2, "made_at": "2026-01-01T00:00:00Z"})
    assert client.post("/v1/predictions/5/forecasts", json=body).status_code == 409


@pytest.mark.parametrize("made_at", ["2026-01-01", "2026-01-01T00:00:00", 1767225600])
def test_forecast_timestamps_need_a_timezone(
    seeded: Engines, client: TestClient, made_at: Any
) -> None:
    body = {"forecaster_id": 2, "probability": 0.2, "made_at": made_at}
    assert client.post("/v1/predictions/5/forecasts", json=body).status_code == 422


def test_resolved_predictions_take_no_more_forecasts(seeded: Engines, client: TestClient) -> None:
    resolve(client, 5)
    body = {"forecaster_id": 2, "probability": 0.2}
    assert client.post("/v1/predictions/5/forecasts", json=body).status_code == 409


def test_time_averaged_probability_weights_each_forecast_by_how_long_it_stood(
    seeded: Engines, client: TestClient
) -> None:
    from datetime import UTC, datetime

    from app.outcomes.service import time_average

    points = [(datetime(2026, 1, 1, tzinfo=UTC), 0.2), (datetime(2026, 1, 11, tzinfo=UTC), 0.8)]
    assert time_average(points, datetime(2026, 1, 21, tzinfo=UTC)) == pytest.approx(0.5)
    assert time_average(points, datetime(2026, 1, 16, tzinfo=UTC)) == pytest.approx(0.4)


def test_recommendation_status_history_is_kept_whole(seeded: Engines, client: TestClient) -> None:
    url = "/v1/recommendations/1/status-changes"
    accepted = client.post(url, json={"status": "accepted", "changed_on": "2026-01-10",
                                      "note": "Raised at the summit.", "evidence": EVIDENCE})
    done = client.post(url, json={"status": "implemented", "changed_on": "2026-04-01"})
    assert accepted.status_code == done.status_code == 201
    history = client.get(url).json()["items"]
    assert [h["status"] for h in history] == ["accepted", "implemented"]
    assert client.get("/v1/recommendations/1").json()["status"] == "implemented"
    implemented = client.get("/v1/recommendations", params={"status": "implemented"}).json()
    assert [r["id"] for r in implemented["items"]] == [1]


@pytest.mark.parametrize(
    "body",
    [
        {"status": "open", "changed_on": "2026-01-10"},
        {"status": "rejected", "changed_on": "2999-01-01"},
    ],
)
def test_status_changes_that_change_nothing_or_lie_ahead_are_refused(
    seeded: Engines, client: TestClient, body: dict[str, Any]
) -> None:
    assert client.post("/v1/recommendations/1/status-changes", json=body).status_code == 409


def test_status_change_dated_before_the_last_one_is_refused(
    seeded: Engines, client: TestClient
) -> None:
    url = "/v1/recommendations/1/status-changes"
    client.post(url, json={"status": "accepted", "changed_on": "2026-02-01"})
    late = client.post(url, json={"status": "rejected", "changed_on": "2026-01-01"})
    assert late.status_code == 409


def test_histories_of_unknown_records_are_404(client: TestClient) -> None:
    for path in ("/v1/predictions/99/resolutions", "/v1/predictions/99/forecasts",
                 "/v1/predictions/99/condition-checks", "/v1/recommendations/99/status-changes"):
        assert client.get(path).status_code == 404
