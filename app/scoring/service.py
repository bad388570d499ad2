"""Scores computed by SQL aggregates: Brier, log loss, skill, Murphy terms, calibration.

Two GROUP BY passes over the predictions (scored rows by group and forecast bin; left-out
rows by group and reason) return at most groups x 10 rows; the formulas below combine
those sums. No prediction is ever loaded into Python.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, Select, and_, case, cast, extract, func, literal, or_, select
from sqlmodel import Session, col

from app.claims.service import prediction_actors, prediction_topics
from app.claims.status import today
from app.errors import NotFound
from app.filters import analysts_of, published_between, where_linked, where_ref
from app.models import Actor, Analyst, Organization, Prediction, Recommendation, Topic
from app.models.claim import prediction_actor, prediction_topic
from app.scoring import schemas as s

PARTIAL = 0.5  # a partially true prediction counts as half true
EPS = 2.220446049250313e-16  # float64 machine epsilon: probabilities are clipped to [EPS, 1-EPS]
BINS = 10
Z90 = 1.6448536269514722  # two-sided 90 % normal quantile
ADOPTED = ("accepted", "partially_implemented", "implemented")
P: Any = Prediction


@dataclass
class Sums:
    """Sufficient statistics of one forecast bin."""

    n: int = 0
    f: float = 0.0
    ff: float = 0.0
    o: float = 0.0
    oo: float = 0.0
    fo: float = 0.0
    log: float = 0.0

    def add(self, other: "Sums") -> None:
        for name in ("n", "f", "ff", "o", "oo", "fo", "log"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class GroupSums:
    bins: dict[int, Sums] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)


def _forecast(choice: str) -> Any:
    initial = func.coalesce(P.probability, P.implied_probability)
    return initial if choice == "initial" else func.coalesce(P.time_averaged_probability, initial)


OUTCOME_VALUE = case(
    (P.outcome == "true", 1.0), (P.outcome == "false", 0.0),
    (P.outcome == "partially_true", PARTIAL),
)
NOT_VOID = or_(P.condition_status.is_(None), P.condition_status != "not_met")
LEFT_OUT_REASON = case(
    (P.condition_status == "not_met", "void"), (P.outcome == "annulled", "annulled"),
    (P.outcome == "ambiguous", "ambiguous"), (P.outcome.is_(None), "unresolved"),
    else_="no_probability",
)


SCORED_OUTCOMES = ("true", "false", "partially_true")


def _scored(forecast: Any) -> Any:
    return and_(P.outcome.in_(SCORED_OUTCOMES), NOT_VOID, forecast.is_not(None))


def _left_out(forecast: Any) -> Any:
    # Spelled out rather than NOT(scored): NOT of a NULL comparison is NULL, not true.
    return or_(P.outcome.is_(None), P.outcome.not_in(SCORED_OUTCOMES),
               P.condition_status == "not_met", forecast.is_(None))


def _group_key(stmt: Select[Any], group_by: str) -> tuple[Select[Any], Any]:
    if group_by == "organization":
        return stmt.join(Analyst, col(Analyst.id) == P.analyst_id), col(Analyst.organization_id)
    if group_by == "topic":
        return stmt.join(prediction_topic, prediction_topic.c.prediction_id == P.id), \
            prediction_topic.c.topic_id
    if group_by == "actor":
        return stmt.join(prediction_actor, prediction_actor.c.prediction_id == P.id), \
            prediction_actor.c.actor_id
    if group_by == "year":
        return stmt, cast(extract("year", P.outcome_known_on), Integer)
    if group_by == "all":
        return stmt, literal(0)
    return stmt, P.analyst_id


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
    """Run the two aggregate passes and gather their rows by group."""
    f = _forecast(q.probability)
    fc = case((f < EPS, EPS), (f > 1 - EPS, 1 - EPS), else_=f)
    o = OUTCOME_VALUE
    bin_ = case((f >= 1, BINS - 1), else_=cast(func.floor(f * BINS), Integer))
    stmt, key = _group_key(select(), group_by)
    scored = _filtered(stmt.add_columns(
        key, bin_, func.count(), func.sum(f), func.sum(f * f), func.sum(o), func.sum(o * o),
        func.sum(f * o), func.sum(-(o * func.ln(fc) + (1 - o) * func.ln(1 - fc))),
    ).select_from(Prediction), q).where(_scored(f)).group_by(key, bin_)
    left = _filtered(_group_key(select(), group_by)[0].add_columns(
        key, LEFT_OUT_REASON, func.count()).select_from(Prediction), q
    ).where(_left_out(f)).group_by(key, LEFT_OUT_REASON)
    groups: dict[Any, GroupSums] = defaultdict(GroupSums)
    for g, b, n, sf, sff, so, soo, sfo, slog in session.execute(scored):
        groups[g].bins[int(b)] = Sums(n, sf, sff, so, soo, sfo, slog)
    for g, reason, n in session.execute(left):
        groups[g].left_out[reason] = n
    return groups


def summarise(sums: GroupSums, scale: float) -> dict[str, Any]:
    """Brier, log loss, skill scores and the Murphy decomposition from bin sums."""
    total = Sums()
    for b in sums.bins.values():
        total.add(b)
    out: dict[str, Any] = {"scored": total.n, "left_out": s.LeftOut(**sums.left_out)}
    if total.n == 0:
        return {**out, "brier": None, "log_loss": None, "brier_skill_vs_even": None,
                "brier_skill_vs_base_rate": None, "base_rate": None, "murphy": None}
    n = total.n
    brier = (total.ff - 2 * total.fo + total.oo) / n
    base = total.o / n
    uncertainty = total.oo / n - base * base
    even = (0.25 * n - total.o + total.oo) / n
    murphy = s.Murphy(
        reliability=scale * sum(b.n * (b.f / b.n - b.o / b.n) ** 2 for b in sums.bins.values()) / n,
        resolution=scale * sum(b.n * (b.o / b.n - base) ** 2 for b in sums.bins.values()) / n,
        uncertainty=scale * uncertainty,
        within_bin_variance=scale * sum(b.ff - b.f * b.f / b.n for b in sums.bins.values()) / n,
        within_bin_covariance=scale * sum(b.fo - b.f * b.o / b.n for b in sums.bins.values()) / n,
    )
    return {
        **out, "brier": scale * brier, "log_loss": total.log / n, "base_rate": base,
        "brier_skill_vs_even": 1 - brier / even if even > 0 else None,
        "brier_skill_vs_base_rate": 1 - brier / uncertainty if uncertainty > 1e-12 else None,
        "murphy": murphy,
    }


GROUP_MODELS: dict[str, Any] = {
    "analyst": Analyst, "organization": Organization, "topic": Topic, "actor": Actor,
}


def scores(session: Session, q: s.ScoreQuery) -> s.ScoreReport:
    """Scores per group, and how many predictions each left out and why."""
    groups = collect(session, q, q.group_by)
    labels = _labels(session, q.group_by, [g for g in groups if g is not None])
    scale = 2.0 if q.brier_form == "0-2" else 1.0
    items = [
        s.GroupScore(**labels.get(g, _unlabelled(q.group_by, g)), **summarise(sums, scale))
        for g, sums in groups.items()
    ]
    items.sort(key=lambda item: (item.key == "none", item.name.lower(), item.key))
    return s.ScoreReport(group_by=q.group_by, probability=q.probability,
                         brier_form=q.brier_form, partially_true_scored_as=PARTIAL, groups=items)


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
    bins = collect(session, q, "all").get(0, GroupSums()).bins
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


def analyst_filters(session: Session, analyst_id: int, q: s.RecordFilters) -> s.ScoreFilters:
    """Score filters selecting one analyst's predictions (404 for an unknown analyst)."""
    if session.get(Analyst, analyst_id) is None:
        raise NotFound(f"No analyst with id {analyst_id}.")
    return s.ScoreFilters(**q.model_dump(), analyst=str(analyst_id))


def track_record(session: Session, analyst_id: int, q: s.RecordFilters) -> s.TrackRecord:
    """One analyst's scores, calibration and recommendation adoption."""
    filters = analyst_filters(session, analyst_id, q)
    analyst = session.get(Analyst, analyst_id)
    assert analyst is not None
    report = scores(session, s.ScoreQuery(**filters.model_dump(), group_by="all"))
    score = report.groups[0] if report.groups else s.GroupScore(
        **_unlabelled("all", 0), **summarise(GroupSums(), 1.0))
    return s.TrackRecord(
        analyst_id=analyst_id, name=analyst.name, score=score,
        calibration=calibration(session, filters, f"Calibration: {analyst.name}"),
        recommendations=adoption(session, analyst_id), as_of=today(),
    )


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
