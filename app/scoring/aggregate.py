"""The scoring aggregate: one SQL pass for scored rows by (group, forecast bin), one for
left-out rows by (group, reason). Scores, calibration and rollups all come from here, so
every figure uses the same arithmetic.
"""

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, Select, and_, case, cast, extract, func, literal, or_, select
from sqlmodel import Session, col

from app.models import Analyst, Prediction
from app.models.claim import prediction_actor, prediction_topic

PARTIAL = 0.5  # a partially true prediction counts as half true
EPS = 2.220446049250313e-16  # float64 machine epsilon: probabilities are clipped to [EPS, 1-EPS]
BINS = 10
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


@dataclass
class Totals(Sums):
    """A group's sums over its bins, with the per-bin terms the Murphy decomposition needs:
    Σ (f−o)²/n, Σ o²/n, Σ f²/n and Σ f·o/n over the bins (f, o the bin's sums)."""

    gap: float = 0.0
    o2: float = 0.0
    f2: float = 0.0
    fo2: float = 0.0
    left_out: dict[str, int] = field(default_factory=dict)


def totals_of(sums: GroupSums) -> Totals:
    """The totals of a group's bins (the same figures the rollup query sums in SQL)."""
    t = Totals(left_out=dict(sums.left_out))
    for b in sums.bins.values():
        t.add(b)
        t.gap += (b.f - b.o) ** 2 / b.n
        t.o2 += b.o * b.o / b.n
        t.f2 += b.f * b.f / b.n
        t.fo2 += b.f * b.o / b.n
    return t


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


Cells = dict[tuple[Any, str], Sums]


def aggregate(
    session: Session, group_by: str, choice: str, narrow: Callable[[Select[Any]], Select[Any]]
) -> Cells:
    """(group, cell) -> sums, where a cell is a forecast bin ("0".."9") or a left-out reason."""
    f = _forecast(choice)
    fc = case((f < EPS, EPS), (f > 1 - EPS, 1 - EPS), else_=f)
    o = OUTCOME_VALUE
    bin_ = case((f >= 1, BINS - 1), else_=cast(func.floor(f * BINS), Integer))
    stmt, key = _group_key(select(), group_by)
    scored = narrow(stmt.add_columns(
        key, bin_, func.count(), func.sum(f), func.sum(f * f), func.sum(o), func.sum(o * o),
        func.sum(f * o), func.sum(-(o * func.ln(fc) + (1 - o) * func.ln(1 - fc))),
    ).select_from(Prediction)).where(_scored(f)).group_by(key, bin_)
    left = narrow(stmt.with_only_columns(key, LEFT_OUT_REASON, func.count())
                  .select_from(Prediction)).where(_left_out(f)).group_by(key, LEFT_OUT_REASON)
    cells: Cells = {}
    for g, b, n, sf, sff, so, soo, sfo, slog in session.execute(scored):
        cells[(g, str(int(b)))] = Sums(n, sf, sff, so, soo, sfo, slog)
    for g, reason, n in session.execute(left):
        cells[(g, reason)] = Sums(n=n)
    return cells


def to_groups(cells: Cells) -> dict[Any, GroupSums]:
    """Gather cells by group: bins and left-out counts."""
    groups: dict[Any, GroupSums] = defaultdict(GroupSums)
    for (g, cell), sums in cells.items():
        if cell.isdigit():
            groups[g].bins[int(cell)] = sums
        else:
            groups[g].left_out[cell] = sums.n
    return groups




OUTCOME_VALUES = {"true": 1.0, "false": 0.0, "partially_true": PARTIAL}


def row_cell(
    outcome: str | None, condition_status: str | None, forecast: float | None
) -> tuple[str, Sums]:
    """One prediction's cell and sums: the same rules as the SQL above, for a single row.

    Used to move the rollups by a write's difference; a test holds the two equal.
    """
    if condition_status == "not_met":
        return "void", Sums(n=1)
    if outcome in ("annulled", "ambiguous"):
        return outcome, Sums(n=1)
    if outcome is None:
        return "unresolved", Sums(n=1)
    if forecast is None:
        return "no_probability", Sums(n=1)
    f, o = forecast, OUTCOME_VALUES[outcome]
    fc = min(max(f, EPS), 1 - EPS)
    log = -(o * math.log(fc) + (1 - o) * math.log(1 - fc))
    cell = BINS - 1 if f >= 1 else math.floor(f * BINS)
    return str(cell), Sums(1, f, f * f, o, o * o, f * o, log)
