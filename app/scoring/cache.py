"""Unfiltered score reports, kept until the data they were computed from changes.

A report grouped by analyst reads every group's rollup totals and labels every group:
at a thousand analysts that is tens of milliseconds per request, while the answer
changes only when something is written. So the JSON of each unfiltered report is kept
in memory with a generation read in the same transaction, before the report, and served
again while the generation is unchanged:

- SQLite: the id of the last audit event. Every write appends one in its own
  transaction and SQLite commits writes one at a time, so the id names the committed
  state (`policy-ledger rebuild-scores` appends one too).
- PostgreSQL: the snapshot (`pg_current_snapshot()`). Concurrent writes commit in any
  order, so no audit id names a state there; but two equal snapshots see exactly the
  same committed transactions, and every commit anywhere in the cluster changes the
  snapshot. A report is never older than the snapshot of the request it answers; it is
  recomputed after any commit, other databases' included.

Each process keeps its own cache, so several workers stay correct.
"""

import threading
from collections.abc import Hashable
from typing import Any

from sqlalchemy import func, select, text
from sqlmodel import Session

from app.models import AuditEvent


def generation(session: Session) -> Hashable:
    """What names the committed state this transaction sees (see above)."""
    if session.get_bind().dialect.name == "sqlite":
        return session.execute(select(func.coalesce(func.max(AuditEvent.id), 0))).scalar_one()
    return session.execute(text("SELECT pg_current_snapshot()::text")).scalar_one()


class ReportCache:
    """The latest JSON per query, with the generation it was computed at."""

    def __init__(self, max_entries: int = 64) -> None:
        self.max_entries = max_entries
        self._entries: dict[Any, tuple[Hashable, bytes]] = {}
        self._lock = threading.Lock()

    def fresh(self, key: Any, current: Hashable) -> bytes | None:
        """The stored JSON if it was computed at generation `current`."""
        with self._lock:
            found = self._entries.get(key)
        return found[1] if found is not None and found[0] == current else None

    def put(self, key: Any, current: Hashable, body: bytes) -> None:
        """Keep a report computed at generation `current`."""
        with self._lock:
            if len(self._entries) >= self.max_entries and key not in self._entries:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (current, body)
