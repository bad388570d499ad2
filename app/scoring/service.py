"""Scores computed by SQL aggregates: Brier, log loss, skill, Murphy terms, calibration.

Two GROUP BY passes over the predictions (scored rows by group and forecast bin; left-out
rows by group and reason) return at most groups x 10 rows; the formulas below combine
those sums. No prediction is ever loaded into Python.
"""

import math
from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import Session, col

from app.claims.links import prediction_actors, prediction_topics
from app.claims.status import today
from app.errors import NotFound
from app.filters import analysts_of, published_between, where_linked, where_ref
from app.models import Actor, Analyst, Organization, Recommendation, Topic
from app.scoring import rollups
from app.scoring import schemas as s
from app.scoring.aggregate import (
    BINS,
    PARTIAL,
    GroupSums,
    P,
    Sums,
    Totals,
    aggregate,
    to_groups,
    totals_of,
)

Z90 = 1.6448536269514722  # two-sided 90 % normal quantile
ADOPTED = ("accepted", "partially_implemented", "implemented")


def _filtered(stmt: Select[Any], q: s.ScoreFilters) -> Select[Any]:
    stmt = where_ref(stmt, P.analyst_id, Analyst, q.analyst)
    if q.organization is not None:
        stmt = stmt.where(P.analyst_id.in_(analysts_of(q.organization)))
    stmt = where_linked(stmt, P.id, prediction_topics, q.topic)
    stmt = where_linked(stmt, P.id, prediction_actors, q.actor)
    stmt = published_between(stmt, P.report_id, q.published_after, q.published_before)
    if q.resolved_after is not None:
        stmt = stmt.where(P.outcome_known_on >= q.resolved_after)
    if q.resolved_before is not None:
        stmt = stmt.where(P.outcome_known_on <= q.resolved_before)
    return stmt


def collect(session: Session, q: s.ScoreFilters, group_by: str) -> dict[Any, GroupSums]:
    """Live aggregate over the predictions the filters select, by group."""
    return to_groups(aggregate(session, group_by, q.probability, lambda st: _filtered(st, q)))


def summarise(t: Totals, scale: float) -> dict[str, Any]:
    """Brier, log loss, skill scores and the Murphy decomposition from a group's totals."""
    out: dict[str, Any] = {"scored": t.n, "left_out": s.LeftOut(**t.left_out)}
    if t.n == 0:
        return {**out, "brier": None, "log_loss": None, "brier_skill_vs_even": None,
                "brier_skill_vs_base_rate": None, "base_rate": None, "murphy": None}
    n = t.n
    brier = (t.ff - 2 * t.fo + t.oo) / n
    base = t.o / n
    uncertainty = t.oo / n - base * base
    even = (0.25 * n - t.o + t.oo) / n
    # Σ n_b (ō_b − ō)² = Σ o_b²/n_b − n ō²: never negative, but rounding can make it so.
    murphy = s.Murphy(
        reliability=scale * t.gap / n,
        resolution=scale * max(t.o2 / n - base * base, 0.0),
        uncertainty=scale * uncertainty,
        within_bin_variance=scale * (t.ff - t.f2) / n,
        within_bin_covariance=scale * (t.fo - t.fo2) / n,
    )
    return {
        **out, "brier": scale * brier, "log_loss": t.log / n, "base_rate": base,
        "brier_skill_vs_even": 1 - brier / even if even > 0 else None,
        "brier_skill_vs_base_rate": 1 - brier / uncertainty if uncertainty > 1e-12 else None,
        "murphy": murphy,
    }


GROUP_MODELS: dict[str, Any] = {
    "analyst": Analyst, "organization": Organization, "topic": Topic, "actor": Actor,
}


def scores(session: Session, q: s.ScoreQuery, *, live: bool = False) -> s.ScoreReport:
    """Scores per group, and how many predictions each left out and why.

    Unfiltered requests read the rollups kept in step with every write; filtered ones
    (or `live=True`) aggregate the predictions themselves.
    """
    if live or not is_unfiltered(q):
        groups = {g: totals_of(sums) for g, sums in collect(session, q, q.group_by).items()}
    else:
        groups = rollups.totals(session, q.group_by, q.probability)
    labels = _labels(session, q.group_by, [g for g in groups if g is not None])
    scale = 2.0 if q.brier_form == "0-2" else 1.0
    items = [
        s.GroupScore(**labels.get(g, _unlabelled(q.group_by, g)), **summarise(t, scale))
        for g, t in groups.items()
    ]
    items.sort(key=lambda item: (item.key == "none", item.name.lower(), item.key))
    return s.ScoreReport(group_by=q.group_by, probability=q.probability,
                         brier_form=q.brier_form, partially_true_scored_as=PARTIAL, groups=items)


UNFILTERED = {"group_by", "brier_form", "probability"}
NO_FILTERS = s.ScoreFilters().model_dump(exclude=UNFILTERED)


def is_unfiltered(q: s.ScoreQuery) -> bool:
    """True when the query only chooses grouping and form: the rollups answer it."""
    return q.model_dump(exclude=UNFILTERED) == NO_FILTERS


def _labels(session: Session, group_by: str, keys: list[Any]) -> dict[Any, dict[str, Any]]:
    model = GROUP_MODELS.get(group_by)
    if model is None:
        return {}
    rows = session.execute(select(model.id, model.slug, model.name).where(model.id.in_(keys)))
    return {i: {"key": slug, "id": i, "name": name} for i, slug, name in rows}


def _unlabelled(group_by: str, key: Any) -> dict[str, Any]:
    if group_by == "all":
        return {"key": "all", "id": None, "name": "All predictions"}
    if key is None:
        return {"key": "none", "id": None, "name": f"(no {group_by})"}
    return {"key": str(key), "id": None, "name": str(key)}


def calibration(session: Session, q: s.ScoreFilters, title: str) -> s.Calibration:
    """Ten forecast bins, each with count, mean forecast, observed frequency and interval."""
    return calibration_of(collect(session, q, "all").get(0, GroupSums()).bins, title)


def calibration_of(bins: dict[int, Sums], title: str) -> s.Calibration:
    """The calibration table of a group's bin sums."""
    out = []
    for k in range(BINS):
        b = bins.get(k, Sums())
        low, high = wilson(b.o, b.n) if b.n else (None, None)
        out.append(s.CalibrationBin(
            low=k / BINS, high=(k + 1) / BINS, count=b.n,
            mean_forecast=b.f / b.n if b.n else None,
            observed_frequency=b.o / b.n if b.n else None,
            interval_low=low, interval_high=high,
        ))
    return s.Calibration(title=title, scored=sum(b.count for b in out), bins=out)


def wilson(successes: float, n: int, z: float = Z90) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion."""
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _analyst_name(session: Session, analyst_id: int) -> str:
    """The analyst's name (404 for an unknown analyst)."""
    name = session.scalar(select(col(Analyst.name)).where(col(Analyst.id) == analyst_id))
    if name is None:
        raise NotFound(f"No analyst with id {analyst_id}.")
    return str(name)


def is_whole_record(q: s.RecordFilters) -> bool:
    """No filter beyond the probability choice: the analyst's rollup rows answer it."""
    return q.model_dump(exclude={"probability"}) == NO_RECORD_FILTERS


def track_record(session: Session, analyst_id: int, q: s.RecordFilters) -> s.TrackRecord:
    """One analyst's scores, calibration and recommendation adoption."""
    name = _analyst_name(session, analyst_id)
    filters = s.ScoreFilters(**q.model_dump(), analyst=str(analyst_id))
    title = f"Calibration: {name}"
    if is_whole_record(q):
        # All of the analyst's predictions: their rollup rows hold every figure.
        sums = rollups.read(session, "analyst", q.probability, analyst_id).get(
            analyst_id, GroupSums())
        score = s.GroupScore(**_unlabelled("all", 0), **summarise(totals_of(sums), 1.0))
        chart = calibration_of(sums.bins, title)
    else:
        report = scores(session, s.ScoreQuery(**filters.model_dump(), group_by="all"))
        score = report.groups[0] if report.groups else s.GroupScore(
            **_unlabelled("all", 0), **summarise(Totals(), 1.0))
        chart = calibration(session, filters, title)
    return s.TrackRecord(
        analyst_id=analyst_id, name=name, score=score, calibration=chart,
        recommendations=adoption(session, analyst_id), as_of=today(),
    )


NO_RECORD_FILTERS = s.RecordFilters().model_dump(exclude={"probability"})


def adoption(session: Session, analyst_id: int) -> s.Adoption:
    """Counts of an analyst's recommendations by status, and the adoption rate."""
    rows = session.execute(
        select(col(Recommendation.status), func.count())
        .where(col(Recommendation.analyst_id) == analyst_id).group_by(col(Recommendation.status))
    ).all()
    by_status = {status: n for status, n in rows}
    total = sum(by_status.values())
    decided = total - by_status.get("open", 0)
    adopted = sum(by_status.get(x, 0) for x in ADOPTED)
    return s.Adoption(total=total, by_status=by_status, decided=decided, adopted=adopted,
                      adoption_rate=adopted / decided if decided else None)
