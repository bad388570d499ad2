"""A prediction's status, derived from its outcome, condition and deadline.

void     — annulled, or its condition was marked not met;
resolved — any other outcome recorded;
due      — past `resolve_by` and unresolved;
open     — everything else.

The same rule exists twice, for a row in Python and as a SQL filter; a test holds them equal.
"""

from datetime import UTC, date, datetime
from functools import cache
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, or_

from app.models import Prediction

Status = Literal["open", "due", "resolved", "void"]
VOID_OUTCOMES = ("annulled",)


def today() -> date:
    """Today's date in UTC."""
    return datetime.now(UTC).date()


def derive_status(
    outcome: str | None, condition_status: str | None, resolve_by: date | None, on: date
) -> Status:
    """The status of one prediction on a given day."""
    if outcome in VOID_OUTCOMES or condition_status == "not_met":
        return "void"
    if outcome is not None:
        return "resolved"
    if resolve_by is not None and resolve_by < on:
        return "due"
    return "open"


@cache
def _fixed_conditions() -> dict[str, Any]:
    """The parts of the status conditions that do not depend on the day (built once:
    SQL expressions are immutable, and building them costs more than running the page)."""
    p: Any = Prediction
    # Comparisons with each void outcome rather than [NOT] IN: an IN list is rendered
    # anew at every execution, and the fast path prepares each shape of query once.
    not_void = and_(
        or_(p.outcome.is_(None), and_(*(p.outcome != v for v in VOID_OUTCOMES))),
        or_(p.condition_status.is_(None), p.condition_status != "not_met"),
    )
    return {
        "void": or_(*(p.outcome == v for v in VOID_OUTCOMES), p.condition_status == "not_met"),
        "resolved": and_(not_void, p.outcome.is_not(None)),
        "unresolved": and_(not_void, p.outcome.is_(None)),
    }


def status_filter(status: Status, on: date) -> ColumnElement[bool]:
    """SQL condition selecting predictions with that status on a given day."""
    p: Any = Prediction
    fixed = _fixed_conditions()
    if status == "due":
        return and_(fixed["unresolved"], p.resolve_by < on)
    if status == "open":
        return and_(fixed["unresolved"], or_(p.resolve_by.is_(None), p.resolve_by >= on))
    condition: ColumnElement[bool] = fixed[status]
    return condition
