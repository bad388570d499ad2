"""Scores against scikit-learn, the Murphy identity, left-out counts, track record, charts."""

import random
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, log_loss
from sqlalchemy import text

from app import crud
from app.claims.service import predictions
from app.db import Engines, session_scope
from app.outcomes import schemas as outcome_schemas
from app.outcomes.service import resolve
from app.scoring import service as scoring_service
from app.scoring.rollups import rebuild_and_record as rebuild_scores
from tests.helpers import match

N = 400


def build_forecasts(engines: Engines, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """N predictions by a new analyst, probabilities away from bin edges, resolved at random."""
    rng = random.Random(seed)
    probs, outcomes = [], []
    with session_scope(engines.write) as session:
        from app.directory.service import analysts

        analyst = crud.create(session, analysts, analysts.create(name="Test Forecaster"))
        for i in range(N):
            p = round(rng.randrange(10) / 10 + rng.uniform(0.02, 0.08), 4)
            o = rng.random() < p
            created = crud.create(session, predictions, predictions.create(
                report_id=1, analyst_id=analyst.id, statement=f"Event {i} happens.",  # type: ignore[attr-defined]
                probability=p))
            resolve(session, created.id, outcome_schemas.ResolutionCreate(  # type: ignore[attr-defined]
                outcome="true" if o else "false", outcome_known_on="2026-01-01"))
            probs.append(p)
            outcomes.append(int(o))
    return np.array(probs), np.array(outcomes)


def score_of(client: TestClient, **params: Any) -> dict[str, Any]:
    report = client.get("/v1/scores", params={"group_by": "analyst", **params}).json()
    return next(g for g in report["groups"] if g["name"] == "Test Forecaster")


def test_scores_match_scikit_learn(seeded: Engines, client: TestClient) -> None:
    p, y = build_forecasts(seeded)
    score = score_of(client)
    assert score["scored"] == N
    assert score["brier"] == pytest.approx(brier_score_loss(y, p), abs=1e-9)
    assert score["log_loss"] == pytest.approx(log_loss(y, p), abs=1e-9)
    base = y.mean()
    assert score["base_rate"] == pytest.approx(base)
    assert score["brier_skill_vs_even"] == pytest.approx(1 - brier_score_loss(y, p) / 0.25)
    assert score["brier_skill_vs_base_rate"] == pytest.approx(
        1 - brier_score_loss(y, p) / brier_score_loss(y, np.full_like(p, base)))


def test_murphy_terms_sum_to_the_brier_score(seeded: Engines, client: TestClient) -> None:
    build_forecasts(seeded, seed=11)
    score = score_of(client)
    m = score["murphy"]
    total = (m["reliability"] - m["resolution"] + m["uncertainty"]
             + m["within_bin_variance"] - 2 * m["within_bin_covariance"])
    assert total == pytest.approx(score["brier"], abs=1e-12)
    assert m["uncertainty"] == pytest.approx(score["base_rate"] * (1 - score["base_rate"]))


def test_calibration_bins_match_scikit_learn(seeded: Engines, client: TestClient) -> None:
    p, y = build_forecasts(seeded, seed=5)
    analyst_id = score_of(client)["id"]
    bins = client.get(f"/v1/analysts/{analyst_id}/track-record").json()["calibration"]["bins"]
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
    filled = [b for b in bins if b["count"]]
    assert [b["observed_frequency"] for b in filled] == pytest.approx(list(prob_true))
    assert [b["mean_forecast"] for b in filled] == pytest.approx(list(prob_pred))
    assert sum(b["count"] for b in bins) == N
    for b in filled:
        assert b["interval_low"] <= b["observed_frequency"] <= b["interval_high"]


def test_the_0_2_brier_form_doubles_the_score(seeded: Engines, client: TestClient) -> None:
    build_forecasts(seeded, seed=9)
    assert score_of(client, brier_form="0-2")["brier"] == pytest.approx(
        2 * score_of(client)["brier"])


def resolve_over_http(client: TestClient, pid: int, outcome: str, **extra: Any) -> Any:
    return client.post(f"/v1/predictions/{pid}/resolutions", json={
        "outcome": outcome, "outcome_known_on": "2026-02-01", **extra})


def test_scores_use_only_the_current_resolution(seeded: Engines, client: TestClient) -> None:
    first = resolve_over_http(client, 5, "true").json()
    resolve_over_http(client, 5, "false", supersedes_id=first["id"], rationale="Misread.")
    yoo = next(g for g in client.get("/v1/scores").json()["groups"] if g["key"] == "yoo-hyun-jung")
    assert yoo["scored"] == 1
    assert yoo["brier"] == pytest.approx(0.675 ** 2)


def test_void_ambiguous_and_annulled_are_left_out_and_counted(
    seeded: Engines, client: TestClient
) -> None:
    conditional = client.get("/v1/predictions", params={"conditional": "true",
                                                        "analyst": "yoo-hyun-jung"}).json()
    void_id = conditional["items"][0]["id"]
    client.post(f"/v1/predictions/{void_id}/condition-checks",
                json={"status": "not_met", "checked_on": "2026-01-05"})
    resolve_over_http(client, 5, "ambiguous")
    resolve_over_http(client, 6, "annulled")
    resolve_over_http(client, 2, "true")
    yoo = next(g for g in client.get("/v1/scores").json()["groups"] if g["key"] == "yoo-hyun-jung")
    assert yoo["scored"] == 1
    assert yoo["left_out"] == {"ambiguous": 1, "annulled": 1, "void": 1, "unresolved": 4,
                               "no_probability": 0}
    assert client.get(f"/v1/predictions/{void_id}").json()["status"] == "void"


def test_partially_true_scores_as_half(seeded: Engines, client: TestClient) -> None:
    resolve_over_http(client, 5, "partially_true")
    report = client.get("/v1/scores", params={"group_by": "all"}).json()
    assert report["partially_true_scored_as"] == 0.5
    assert report["groups"][0]["brier"] == pytest.approx((0.675 - 0.5) ** 2)


def test_a_seeded_prediction_resolved_over_http_shows_in_yoos_track_record(
    seeded: Engines, client: TestClient
) -> None:
    before = client.get("/v1/analysts/1/track-record").json()
    assert before["name"] == "Yoo Hyun Jung" and before["score"]["scored"] == 0
    response = resolve_over_http(client, 5, "true", rationale="Unchanged stance.", evidence=[
        {"title": "Foreign ministry briefing", "url": "https://example.org/briefing"}])
    assert response.status_code == 201
    after = client.get("/v1/analysts/1/track-record").json()
    assert after["score"]["scored"] == 1
    assert after["score"]["brier"] == pytest.approx((1 - 0.675) ** 2)
    assert after["calibration"]["bins"][6]["count"] == 1
    assert after["recommendations"]["total"] == 2


def test_adoption_rate_counts_decided_recommendations(
    seeded: Engines, client: TestClient
) -> None:
    client.post("/v1/recommendations/1/status-changes",
                json={"status": "implemented", "changed_on": "2026-01-10"})
    adoption = client.get("/v1/analysts/1/track-record").json()["recommendations"]
    assert (adoption["decided"], adoption["adopted"], adoption["adoption_rate"]) == (1, 1, 1.0)


@pytest.mark.parametrize("group_by", ["analyst", "organization", "topic", "actor", "year", "all"])
def test_every_grouping_answers(seeded: Engines, client: TestClient, group_by: str) -> None:
    resolve_over_http(client, 5, "true")
    report = client.get("/v1/scores", params={"group_by": group_by}).json()
    assert sum(g["scored"] for g in report["groups"]) >= 1


def test_time_averaged_scoring_is_a_parameter(seeded: Engines, client: TestClient) -> None:
    resolve_over_http(client, 5, "true")
    report = client.get("/v1/scores", params={"group_by": "all", "probability": "time_averaged"})
    assert report.json()["probability"] == "time_averaged"
    assert report.json()["groups"][0]["scored"] == 1


def test_calibration_chart_is_an_svg_with_diagonal_bins_and_intervals(
    seeded: Engines, client: TestClient
) -> None:
    build_forecasts(seeded, seed=4)
    analyst_id = score_of(client)["id"]
    response = client.get(f"/v1/analysts/{analyst_id}/calibration.svg")
    assert response.headers["content-type"].startswith("image/svg+xml")
    svg = response.text
    assert svg.startswith("<svg") and "perfect calibration" in svg
    assert svg.count("<circle") == 10 and "n=" in svg
    spec = client.get(f"/v1/analysts/{analyst_id}/calibration.vl.json").json()
    assert spec["$schema"].endswith("vega-lite/v5.json") and len(spec["layer"]) == 3
    group_chart = client.get("/v1/scores/calibration.svg", params={"analyst": str(analyst_id)})
    assert group_chart.text.count("<circle") == 10


def test_track_record_of_unknown_analyst_is_404(client: TestClient) -> None:
    assert client.get("/v1/analysts/999/track-record").status_code == 404


def test_grouping_and_filtering_by_the_same_link(seeded: Engines, client: TestClient) -> None:
    resolve_over_http(client, 5, "true")
    report = client.get("/v1/scores", params={"group_by": "actor", "actor": "china"}).json()
    assert {g["key"] for g in report["groups"]} >= {"china"}


def test_score_report_fast_path_matches_its_schema(seeded: Engines, client: TestClient) -> None:
    from app.scoring.schemas import ScoreReport

    resolve_over_http(client, 5, "true")
    body = client.get("/v1/scores", params={"group_by": "topic"}).json()
    assert ScoreReport.model_validate(body).model_dump(mode="json") == body


def test_unfiltered_reports_are_kept_only_while_nothing_is_written(
    seeded: Engines, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report grouped by analyst is computed once, then served again until a write (a
    rename, a resolution, a rebuild of the rollups) changes what it says. On PostgreSQL
    any commit in the cluster counts as a write (the other test workers' too), so there
    it is computed at least as often as on SQLite and at most once per request."""
    sqlite = seeded.read.dialect.name == "sqlite"
    computed: list[str] = []

    def times(kept: int, requests: int) -> bool:
        """Computed `kept` times so far on SQLite; between that and once per request on
        PostgreSQL."""
        return len(computed) == kept if sqlite else kept <= len(computed) <= requests

    real = scoring_service.scores

    def counting(*args: Any, **kwargs: Any) -> Any:
        computed.append("report")
        return real(*args, **kwargs)

    monkeypatch.setattr(scoring_service, "scores", counting)

    def yoo() -> dict[str, Any]:
        report = client.get("/v1/scores", params={"group_by": "analyst"}).json()
        return next(g for g in report["groups"] if g["id"] == 1)

    first = yoo()
    assert yoo() == first and times(1, 2)
    renamed = client.patch("/v1/analysts/1", json={"name": "Yoo H. J."},
                           headers=match(client, "/v1/analysts/1"))
    assert renamed.status_code == 200
    assert yoo()["name"] == "Yoo H. J." and times(2, 3)
    assert resolve_over_http(client, 5, "true").status_code == 201
    assert yoo()["scored"] == first["scored"] + 1 and times(3, 4)
    assert yoo()["scored"] == first["scored"] + 1 and times(3, 5)
    with session_scope(seeded.write) as session:  # rollups moved behind the service's back
        session.execute(text("UPDATE score_rollup SET n = n + 5 "
                             "WHERE dimension = 'analyst' AND group_key = 1"))
    if not sqlite:  # any commit is seen, this one too
        assert yoo()["scored"] == first["scored"] + 6 and times(4, 6)
    with session_scope(seeded.write) as session:  # what `policy-ledger rebuild-scores` does
        rebuild_scores(session)
    assert yoo()["scored"] == first["scored"] + 1 and times(4, 7)
    filtered = client.get("/v1/scores", params={"group_by": "analyst", "topic": "china"})
    assert filtered.status_code == 200 and times(5, 8)
