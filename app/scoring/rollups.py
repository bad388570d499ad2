"""Score rollups: the aggregate's sums, stored, and moved by each write's difference.

Any write that can change a prediction's score runs inside `track(session, where)`: the
aggregate restricted to the affected predictions is taken before and after the change,
and the difference is added to `score_rollup` in the same transaction. Reading every
group's scores is then a lookup of at most groups x 12 rows instead of a full scan.
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import astuple
from datetime import date
from operator import attrgetter
from typing import Any

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from app.db import run_raw
from app.models import Analyst, Prediction, ScoreRollup
from app.scoring.aggregate import (
    BINS,
    Cells,
    GroupSums,
    Sums,
    Totals,
    aggregate,
    row_cell,
    to_groups,
)
from app.trust import audit
from app.types import id_list

DIMENSIONS = ("analyst", "organization", "topic", "actor", "year", "all")
CHOICES = ("initial", "time_averaged")
Key = tuple[str, str, int, str]
SUMS = ("n", "f", "ff", "o", "oo", "fo", "log")


def contribution(session: Session, where: Any) -> dict[Key, Sums]:
    """The rollup cells of the predictions matching `where`, for every dimension and choice.

    `where` is a condition on predictions, or one prediction's id (the common case, a
    statement prepared once). A write touches few predictions, so their rows (with their
    topic and actor ids, in the same statement) are read once and placed in cells one by
    one (`row_cell`, the aggregate's rules for a single row). The caller has flushed: the
    statement runs on the session's connection, past the ORM's execution layer.
    """
    connection = session.connection()
    rows: Sequence[Any]
    if isinstance(where, int):
        rows = run_raw(connection, _ONE_PREDICTION, (where,))
    else:
        rows = connection.execute(
            select(*(getattr(Prediction, name) for name in _ROW), col(Analyst.organization_id),
                   col(Prediction.topic_ids), col(Prediction.actor_ids))
            .join(Analyst, col(Analyst.id) == col(Prediction.analyst_id)).where(where)
        ).all()
    out: dict[Key, Sums] = defaultdict(Sums)
    for (analyst, outcome, known, condition, prob, implied, averaged, org,
         topic_ids, actor_ids) in rows:
        initial = prob if prob is not None else implied
        forecasts = {"initial": initial,
                     "time_averaged": averaged if averaged is not None else initial}
        groups = {"analyst": [analyst], "organization": [org or 0], "topic": id_list(topic_ids),
                  "actor": id_list(actor_ids), "year": [_year(known)], "all": [0]}
        for choice, forecast in forecasts.items():
            cell, sums = row_cell(outcome, condition, forecast)
            for dimension, keys in groups.items():
                for key in keys:
                    out[(dimension, choice, key, cell)].add(sums)
    return out


def _year(known: date | str | None) -> int:
    """The year of a date, from SQLite's text as well (0 for none)."""
    if not known:
        return 0
    return known.year if isinstance(known, date) else int(known[:4])


# The prediction's columns `contribution` reads, then its analyst's organization and its
# topic and actor ids.
_ROW = ("analyst_id", "outcome", "outcome_known_on", "condition_status", "probability",
        "implied_probability", "time_averaged_probability")


# `contribution`'s statement for one prediction, the same on both engines (one `?` mark).
_ONE_PREDICTION = (
    f"SELECT {', '.join(f'prediction.{name}' for name in _ROW)}, analyst.organization_id, "
    "prediction.topic_ids, prediction.actor_ids FROM prediction "
    "JOIN analyst ON analyst.id = prediction.analyst_id WHERE prediction.id = ?")


def full_contribution(session: Session) -> dict[Key, Sums]:
    """Every rollup cell, computed by the SQL aggregate over all predictions."""
    out: dict[Key, Sums] = {}
    for dimension in DIMENSIONS:
        for choice in CHOICES:
            for (group, cell), sums in aggregate(session, dimension, choice, lambda st: st).items():
                out[(dimension, choice, int(group or 0), cell)] = sums
    return out


@contextmanager
def track(session: Session, where: Any) -> Iterator[None]:
    """Move the rollups by whatever the enclosed change does to the matching predictions."""
    session.flush()
    before = contribution(session, where)
    yield
    session.flush()
    apply(session, before, contribution(session, where))


def add(session: Session, where: Any) -> None:
    """Count newly created predictions in the rollups."""
    session.flush()
    apply(session, {}, contribution(session, where))


def apply(session: Session, before: dict[Key, Sums], after: dict[Key, Sums]) -> None:
    """Add after - before to the stored rollups: one upsert of every moved row, then the
    removal of rows left counting nothing."""
    moved: list[tuple[Any, ...]] = []
    emptied: list[Key] = []
    empty = Sums()
    # In key order, so concurrent writers (PostgreSQL) lock shared rows in the same order
    # instead of deadlocking.
    for key in sorted(before.keys() | after.keys()):
        old, new = _sums(before.get(key, empty)), _sums(after.get(key, empty))
        delta = [b - a for a, b in zip(old, new, strict=True)]
        if any(delta):
            moved.append((*key, *delta))
            if delta[0] < 0:
                emptied.append(key)
    if not moved:
        return
    session.flush()
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Every scored write moves the "all" rows, so writers take turns on them anyway;
        # one transaction-scoped lock makes the turns first come, first served (waiters
        # on a row that an upsert changed retry and can be overtaken: p99 of 2 s at 32
        # concurrent resolutions, bench/).
        run_raw(connection, _TURN)
    run_raw(connection, _UPSERT, moved, many=True)
    if emptied:
        # One primary-key probe per row: SQLite scans the whole table for a row-value IN.
        run_raw(connection, _PRUNE, sorted(emptied), many=True)


_sums = attrgetter(*SUMS)
_KEY = ("dimension", "choice", "group_key", "cell")
_TURN = "SELECT pg_advisory_xact_lock(7235406)"  # a key of the rollups' own
# The same SQL on SQLite and PostgreSQL: add each moved row's sums to the stored ones.
_UPSERT = (
    f"INSERT INTO score_rollup ({', '.join(_KEY + SUMS)}) "
    f"VALUES ({', '.join('?' for _ in _KEY + SUMS)}) "
    f"ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET "
    + ", ".join(f"{name} = score_rollup.{name} + excluded.{name}" for name in SUMS))
_PRUNE = ("DELETE FROM score_rollup WHERE n = 0 AND "
          + " AND ".join(f"{name} = ?" for name in _KEY))


def read(
    session: Session, dimension: str, choice: str, key: int | None = None
) -> dict[Any, GroupSums]:
    """Every group's sums for one dimension and probability choice (or one group's)."""
    r: Any = ScoreRollup
    stmt = (select(r.group_key, r.cell, r.n, r.f, r.ff, r.o, r.oo, r.fo, r.log)
            .where(r.dimension == dimension, r.choice == choice))
    if key is not None:
        stmt = stmt.where(r.group_key == key)
    cells: Cells = {
        (group or None if dimension != "all" else 0, cell): Sums(*sums)
        for group, cell, *sums in session.execute(stmt)
    }
    return to_groups(cells)


_BIN_CELLS = tuple(str(b) for b in range(BINS))


def totals(session: Session, dimension: str, choice: str) -> dict[Any, Totals]:
    """Every group's totals for one dimension and probability choice, summed in SQL: one
    row per group instead of one per cell (a report over a thousand analysts reads about
    ten thousand cells)."""
    r: Any = ScoreRollup
    scope = (r.dimension == dimension, r.choice == choice)

    def group(key: int) -> Any:
        return (key or None) if dimension != "all" else 0

    binned = select(
        r.group_key, func.sum(r.n), func.sum(r.f), func.sum(r.ff), func.sum(r.o),
        func.sum(r.oo), func.sum(r.fo), func.sum(r.log),
        func.sum((r.f - r.o) * (r.f - r.o) / r.n), func.sum(r.o * r.o / r.n),
        func.sum(r.f * r.f / r.n), func.sum(r.f * r.o / r.n),
    ).where(*scope, r.cell.in_(_BIN_CELLS), r.n > 0).group_by(r.group_key)
    connection = session.connection()
    out: dict[Any, Totals] = {}
    for key, *figures in connection.execute(binned):
        out[group(key)] = Totals(*figures)
    left = select(r.group_key, r.cell, r.n).where(*scope, r.cell.not_in(_BIN_CELLS))
    for key, reason, n in connection.execute(left):
        out.setdefault(group(key), Totals()).left_out[reason] = n
    return out


def rebuild(session: Session) -> int:
    """Recompute every rollup from the predictions (after bulk loads); returns rows written."""
    session.execute(delete(ScoreRollup))
    cells = full_contribution(session)
    session.add_all(
        ScoreRollup(dimension=k[0], choice=k[1], group_key=k[2], cell=k[3],
                    **dict(zip(SUMS, astuple(v), strict=True)))
        for k, v in cells.items()
    )
    session.flush()
    return len(cells)


def rebuild_and_record(session: Session, actor: str = "cli") -> int:
    """`rebuild`, with an audit event saying so: cached score reports see the change."""
    rows = rebuild(session)
    audit.record(session, None, "score_rollup", 0, "rebuild", None, {"rows": rows},
                 actor=actor)
    return rows


def is_stale(session: Session) -> bool:
    """True when predictions exist but no rollup does (e.g. right after the migration)."""
    predictions = session.scalar(select(func.count()).select_from(Prediction))
    stored = session.scalar(select(func.count()).select_from(ScoreRollup))
    return bool(predictions) and not stored
