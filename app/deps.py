"""Request-scoped database sessions and write contexts.

Reads share a pool of connections. A write runs in one transaction that also holds its
audit row and, with `Idempotency-Key`, the response to replay; it needs a key whose role
admits the route, and it is committed when the route returns.
"""

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Annotated, Any, ParamSpec, TypeVar

from fastapi import Depends, Request, Response
from pydantic import BaseModel
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.db import NO_WAIT, Engines, writer_queue
from app.models import IdempotencyRecord, ScoreRollup
from app.trust import audit, idempotency
from app.trust.auth import authenticate, require
from app.trust.etags import check_if_match, etag_of
from app.trust.keys import Principal, Role

P = ParamSpec("P")
R = TypeVar("R")


def _engines(request: Request) -> Engines:
    engines: Engines = request.app.state.engines
    return engines


async def read_session(request: Request) -> AsyncIterator[Session]:
    """A session for reading.

    Opening and closing it does no I/O worth a thread-pool hand-off (a connection is
    checked out at the first query, which runs in the route's thread), so this runs on
    the event loop: a sync read route costs one hand-off, not three.
    """
    session = Session(_engines(request).read, expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


ReadSession = Annotated[Session, Depends(read_session)]

# Rows a write may change without an audit row of its own: derived data and bookkeeping.
UNAUDITED = (ScoreRollup, IdempotencyRecord)


class AuditedSession(Session):
    """A write session that notes whether records changed, so an unaudited write fails."""


@event.listens_for(AuditedSession, "after_flush")
def _note_changes(session: Session, _context: Any) -> None:
    changed = [*session.new, *session.dirty, *session.deleted]
    if any(not isinstance(obj, UNAUDITED) for obj in changed):
        session.info["changed"] = True


@dataclass
class Write:
    """One write: its session, its principal, and the helpers every write route uses."""

    session: Session
    principal: Principal
    request: Request
    response: Response
    claim: idempotency.Claim | None
    inline: bool = False  # run the route on the event loop (SQLite), not in the thread pool

    def audit(self, record_type: str, record_id: int, action: str,
              before: BaseModel | dict[str, Any] | None,
              after: BaseModel | dict[str, Any] | None) -> None:
        """Append the audit row for this write."""
        audit.record(self.session, self.principal, record_type, record_id, action,
                     before, after)

    def if_match(self, version: int) -> None:
        """Refuse the write unless the request's If-Match names the current version."""
        check_if_match(self.request.headers.get("if-match"), version)

    def item(self, item: BaseModel) -> BaseModel:
        """Send the item's ETag with it."""
        self.response.headers["ETag"] = etag_of(item)
        return item

    def created(self, item: BaseModel, location: str | None) -> Any:
        """A 201 answer: Location and ETag headers, remembered for idempotent replays."""
        headers = {"ETag": etag_of(item)}
        if location is not None:
            headers["Location"] = location
        self.response.headers.update(headers)
        if self.claim is not None:
            self.request.app.state.idempotency.remember(
                self.session, self.principal, self.claim, 201,
                item.model_dump_json().encode(), headers)
        return item


def _finish(session: Session, request: Request) -> None:
    session.flush()
    if session.info.get("changed") and not session.info.get("audited"):
        raise RuntimeError(f"{request.method} {request.url.path} wrote records "
                           "without an audit row")
    session.commit()


def _lock_now(session: Session) -> bool:
    """On the event loop, take SQLite's write lock if no other connection holds it (the
    usual case: this process's writes queue before they get here): True when taken. When
    another process is writing, the session is closed again, unbegun, for `_open` to wait
    for the lock in the thread pool."""
    try:
        session.connection(execution_options={NO_WAIT: True})
    except OperationalError:
        session.close()
        return False
    return True


def _open(request: Request, session: Session, who: Principal,
          claim: idempotency.Claim | None, begin: bool) -> None:
    """Start a write in a worker thread: on SQLite take the write lock (BEGIN IMMEDIATE
    waits up to the busy timeout while another process writes: never on the event
    loop), then check the idempotency claim."""
    if begin:
        session.connection()
    if claim is not None:
        request.app.state.idempotency.check(session, who, claim)


def _writer(role: Role) -> Callable[..., AsyncIterator[Write]]:
    async def write_context(
        request: Request,
        response: Response,
        principal: Annotated[Principal | None, Depends(authenticate)],
        claim: Annotated[idempotency.Claim | None, Depends(idempotency.claim)],
    ) -> AsyncIterator[Write]:
        """The write's transaction. On SQLite it begins on the event loop when the
        database's write lock is free, and otherwise in the thread pool, which waits for
        it (as it does for the idempotency check of an `Idempotency-Key`); a `writes`
        route and the commit then follow on the event loop (WAL with synchronous=NORMAL:
        no fsync, well under a millisecond), and any other route in the thread pool. On
        PostgreSQL a `writes` route commits in its own thread, and any other write
        commits here, in the thread pool. Closing the session rolls back a write that
        failed before the commit (or whose client went away before the route ran)."""
        who = require(principal, role)
        engine = _engines(request).write
        sqlite = engine.dialect.name == "sqlite"
        # SQLite has one write connection: writes queue for it here, on the event loop, not
        # in worker threads, which the write holding the connection needs to finish.
        async with writer_queue(request.app.state) if sqlite else nullcontext():
            session = AuditedSession(engine, expire_on_commit=False)
            try:
                begun = sqlite and claim is None and _lock_now(session)
                if not begun and (sqlite or claim is not None):
                    await run_in_threadpool(_open, request, session, who, claim, sqlite)
                yield Write(session, who, request, response, claim, inline=sqlite)
                if session.info.get("committed"):
                    pass
                elif sqlite:
                    _finish(session, request)
                else:
                    await run_in_threadpool(_finish, session, request)
            finally:
                session.close()  # rolls back whatever was not committed

    write_context.required_role = role  # type: ignore[attr-defined]
    return write_context


def writes(endpoint: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """Run a write route where its transaction runs. For routes whose work is bounded
    (one record and what hangs on it), not ones that can touch any number of records.

    On SQLite, on the event loop, like the commit: the write lock is already held, the
    route does a few milliseconds of local I/O, and two thread-pool hand-offs (for the
    route and for validating its answer) would cost more than that. On PostgreSQL, in
    the thread pool, as it waits on the server, and committed in the same thread: the
    row locks it took (on shared score rollups, say) are released before the hand-off
    back, which under load can wait, instead of after the next one. The route must take
    its `Write` as a keyword, as FastAPI passes every parameter."""

    @functools.wraps(endpoint)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        w = next((v for v in kwargs.values() if isinstance(v, Write)), None)
        if w is None:
            return await run_in_threadpool(endpoint, *args, **kwargs)
        if w.inline:
            return endpoint(*args, **kwargs)
        return await run_in_threadpool(_run_and_commit, endpoint, w, args, kwargs)

    return run


def _run_and_commit(endpoint: Callable[..., R], w: Write, args: Any, kwargs: Any) -> R:
    result = endpoint(*args, **kwargs)
    _finish(w.session, w.request)
    w.session.info["committed"] = True
    return result


AnalystWrite = Annotated[Write, Depends(_writer(Role.analyst), scope="function")]
EditorWrite = Annotated[Write, Depends(_writer(Role.editor), scope="function")]
AdminWrite = Annotated[Write, Depends(_writer(Role.admin), scope="function")]
