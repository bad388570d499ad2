"""Unfiltered score reports on SQLite, kept until the data they were computed from changes.

A report grouped by analyst reads every rollup row and labels every group: at a thousand
analysts that is milliseconds of Python per request, while the answer changes only when
something is written. So on SQLite the JSON of each unfiltered report is kept in memory
with the id of the last audit event, and served again while that id is still the last:
every write appends an audit event in its own transaction, and SQLite commits writes one
at a time, so the id names the committed state (`policy-ledger rebuild-scores` appends
one too). The id is read in the same transaction as the report, before it.

PostgreSQL commits concurrent writes in any order, so a transaction holding a lower
audit id can commit after a higher one is visible, and its snapshot changes with every
transaction of the cluster, other databases' included: there, the report is computed
for every request. Each process keeps its own cache, so several workers stay correct.
"""

import threading
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from app.models import AuditEvent


def generation(session: Session) -> int | None:
    """The last audit id on SQLite (it changes with every committed write); None, for
    "nothing can be kept", on PostgreSQL."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    return session.execute(select(func.coalesce(func.max(AuditEvent.id), 0))).scalar_one()


class ReportCache:
    """The latest JSON per query, with the generation it was computed at."""

    def __init__(self, max_entries: int = 64) -> None:
        self.max_entries = max_entries
        self._entries: dict[Any, tuple[int, bytes]] = {}
        self._lock = threading.Lock()

    def fresh(self, key: Any, current: int | None) -> bytes | None:
        """The stored JSON if it was computed at generation `current`."""
        if current is None:
            return None
        with self._lock:
            found = self._entries.get(key)
        return found[1] if found is not None and found[0] == current else None

    def put(self, key: Any, current: int | None, body: bytes) -> None:
        """Keep a report computed at generation `current` (nothing, where None)."""
        if current is None:
            return
        with self._lock:
            if len(self._entries) >= self.max_entries and key not in self._entries:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (current, body)
