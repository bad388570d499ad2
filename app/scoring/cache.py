"""Unfiltered score reports, kept until the data they were computed from changes.

A report grouped by analyst reads every rollup row and labels every group: at a thousand
analysts that is milliseconds of Python per request, while the answer changes only when
something is written. So the JSON of each unfiltered report is kept in memory with the
*generation* of the data it was computed from, and served again while that generation
is current:

- on SQLite, the id of the last audit event: every write appends one in its own
  transaction, and writes commit one at a time, so the id names the committed state
  (`policy-ledger rebuild-scores` appends one too);
- on PostgreSQL, the transaction snapshot (`pg_current_snapshot()`): two snapshots that
  print the same see exactly the same committed transactions.

The generation is read in the same transaction as the report, before it; the state can
only have moved on from it, so a stored report is never older than its generation.
Each process keeps its own cache, so several workers stay correct.
"""

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, text
from sqlmodel import Session

from app.models import AuditEvent


def generation(session: Session) -> str:
    """A value that changes whenever committed data may have changed."""
    if session.get_bind().dialect.name == "postgresql":
        return str(session.execute(text("SELECT pg_current_snapshot()::text")).scalar_one())
    return str(session.execute(select(func.max(AuditEvent.id))).scalar())


class ReportCache:
    """The latest JSON per query, with the generation it was computed at."""

    def __init__(self, max_entries: int = 64) -> None:
        self.max_entries = max_entries
        self._entries: dict[Any, tuple[str, bytes]] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, key: Any, compute: Callable[[], bytes]) -> bytes:
        """The stored JSON when its generation is current, else `compute()` (kept)."""
        current = generation(session)
        with self._lock:
            found = self._entries.get(key)
        if found is not None and found[0] == current:
            return found[1]
        body = compute()
        with self._lock:
            if len(self._entries) >= self.max_entries and key not in self._entries:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (current, body)
        return body
