"""Score rollups always equal a full recomputation, whatever writes happened."""

import asyncio
import random

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.db import Engines
from app.scoring import rollups
from app.scoring import schemas as s
from app.scoring import service as scoring_service
from app.scoring.service import scores
from tests.helpers import bearer, match

DIMENSIONS = ("analyst", "organization", "topic", "actor", "year", "all")


def assert_rollups_match_recomputation(engines: Engines) -> None:
    with Session(engines.read) as session:
        for group_by in DIMENSIONS:
            for choice in ("initial", "time_averaged"):
                q = s.ScoreQuery(group_by=group_by, probability=choice)
                stored = scores(session, q).model_dump()
                live = scores(session, q, live=True).model_dump()
                assert stored == _approx(live), (group_by, choice)


def _approx(value: object) -> object:
    """The value with every float compared to within 1e-9 (sums taken in another order)."""
    if isinstance(value, float):
        return pytest.approx(value, abs=1e-9)
    if isinstance(value, dict):
        return {k: _approx(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_approx(v) for v in value]
    return value


def test_rollups_follow_random_writes(seeded: Engines, client: TestClient) -> None:
    rng = random.Random(2026)
    analyst = client.post("/v1/analysts", json={"name": "Rollup Tester",
                                                "organization_id": 1}).json()["id"]
    ids = [client.post("/v1/predictions", json={
        "report_id": 1, "analyst_id": analyst, "statement": f"Thing {i} happens.",
        "probability": round(rng.random(), 3), "topic_ids": [rng.randint(1, 15)],
        "actor_ids": [rng.randint(1, 14), rng.randint(1, 14)],
        **({"condition": "If it rains."} if i % 7 == 0 else {}),
    }).json()["id"] for i in range(40)] + list(range(1, 11))
    current: dict[int, int] = {}
    for step in range(160):
        pid = rng.choice(ids)
        action = rng.choice(["resolve", "resolve", "correct", "forecast", "patch", "links",
                             "condition", "move", "delete"])
        if action == "resolve" and pid not in current:
            r = client.post(f"/v1/predictions/{pid}/resolutions", json={
                "outcome": rng.choice(["true", "false", "partially_true", "ambiguous",
                                       "annulled"]),
                "outcome_known_on": f"202{rng.randint(3, 6)}-0{rng.randint(1, 9)}-01"})
            if r.status_code == 201:
                current[pid] = r.json()["id"]
        elif action == "correct" and pid in current:
            r = client.post(f"/v1/predictions/{pid}/resolutions", json={
                "outcome": rng.choice(["true", "false"]), "outcome_known_on": "2026-01-02",
                "supersedes_id": current[pid], "rationale": f"Correction {step}."})
            current[pid] = r.json()["id"]
        elif action == "forecast":
            client.post(f"/v1/predictions/{pid}/forecasts",
                        json={"forecaster_id": rng.choice([1, 2, analyst]),
                              "probability": round(rng.random(), 2)})
        elif action == "patch":
            client.patch(f"/v1/predictions/{pid}", json=rng.choice([
                {"probability": round(rng.random(), 2)}, {"probability": None},
                {"cue": rng.choice(["might", "very likely", "advises"])},
                {"analyst_id": rng.choice([1, 2, analyst])}]),
                    headers=match(client, f"/v1/predictions/{pid}"))
        elif action == "links":
            client.patch(f"/v1/predictions/{pid}", json={
                "topic_ids": rng.sample(range(1, 16), rng.randint(0, 3)),
                "actor_ids": rng.sample(range(1, 15), rng.randint(0, 2))},
                    headers=match(client, f"/v1/predictions/{pid}"))
        elif action == "condition":
            client.post(f"/v1/predictions/{pid}/condition-checks", json={
                "status": rng.choice(["met", "not_met"]), "checked_on": "2026-01-01"})
        elif action == "move":
            client.patch(f"/v1/analysts/{analyst}", json={"organization_id": rng.choice([1, 2])},
                headers=match(client, f"/v1/analysts/{analyst}"))
        elif (action == "delete" and pid not in current
              and client.delete(f"/v1/predictions/{pid}",
                  headers=match(client, f"/v1/predictions/{pid}")).status_code == 204):
            ids.remove(pid)
    assert current, "the walk resolved nothing"
    assert_rollups_match_recomputation(seeded)
    assert_track_records_match_live(client, [1, 2, analyst])


def test_rollups_stay_exact_under_concurrent_resolutions(
    seeded: Engines, client: TestClient, keys: dict[str, str]
) -> None:
    """Resolutions and then corrections of 24 predictions, all sent at once (on
    PostgreSQL each in a thread and a transaction of its own, every one moving the shared
    rows of the "all" group), all succeed, and the rollups still equal a full
    recomputation."""
    ids = [client.post("/v1/predictions", json={
        "report_id": 1, "analyst_id": 1 + i % 2, "statement": f"Event {i} happens.",
        "probability": round(0.05 + i / 30, 3), "topic_ids": [1 + i % 5],
        "actor_ids": [1 + i % 7]}).json()["id"] for i in range(24)]

    async def send_all() -> None:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ledger",
                                     headers=bearer(keys["editor"])) as http:
            first = await asyncio.gather(*(http.post(
                f"/v1/predictions/{p}/resolutions",
                json={"outcome": "true", "outcome_known_on": "2026-01-01"}) for p in ids))
            assert [r.status_code for r in first] == [201] * len(ids)
            second = await asyncio.gather(*(http.post(
                f"/v1/predictions/{p}/resolutions",
                json={"outcome": "false", "outcome_known_on": "2026-01-02",
                      "supersedes_id": r.json()["id"], "rationale": "Misread."})
                for p, r in zip(ids, first, strict=True)))
            assert [r.status_code for r in second] == [201] * len(ids)

    asyncio.run(send_all())
    assert_rollups_match_recomputation(seeded)
    assert_track_records_match_live(client, [1, 2])


def assert_track_records_match_live(client: TestClient, analysts: list[int]) -> None:
    """An analyst's unfiltered track record (read from the rollups) equals the one the
    live aggregate gives, for both probability choices."""
    for analyst in analysts:
        for choice in ("initial", "time_averaged"):
            params = {"probability": choice}
            fast = client.get(f"/v1/analysts/{analyst}/track-record", params=params).json()
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(scoring_service, "NO_RECORD_FILTERS", {"never": "equal"})
                live = client.get(f"/v1/analysts/{analyst}/track-record", params=params).json()
            assert fast == _approx(live), (analyst, choice)


def test_rebuild_reproduces_the_maintained_rollups(seeded: Engines, client: TestClient) -> None:
    client.post("/v1/predictions/5/resolutions",
                json={"outcome": "true", "outcome_known_on": "2026-01-01"})
    with Session(seeded.read) as session:
        before = scores(session, s.ScoreQuery(group_by="topic")).model_dump()
    with Session(seeded.write) as session:
        rollups.rebuild(session)
        session.commit()
    with Session(seeded.read) as session:
        after = scores(session, s.ScoreQuery(group_by="topic")).model_dump()
    assert after == _approx(before)


@pytest.mark.parametrize("group_by", DIMENSIONS)
def test_seed_alone_keeps_rollups_exact(seeded: Engines, group_by: str) -> None:
    with Session(seeded.read) as session:
        q = s.ScoreQuery(group_by=group_by)
        assert scores(session, q).model_dump() == _approx(
            scores(session, q, live=True).model_dump())
