"""Request-scoped database sessions and write contexts.

Reads share a pool of connections. A write runs in one transaction that also holds its
audit row and, with `Idempotency-Key`, the response to replay; it needs a key whose role
admits the route, and it is committed when the route returns.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from pydantic import BaseModel
from sqlalchemy import event
from sqlmodel import Session

from app.db import Engines
from app.models import IdempotencyRecord, ScoreRollup
from app.trust import audit, idempotency
from app.trust.auth import authenticate, require
from app.trust.etags import check_if_match, etag_of
from app.trust.keys import Principal, Role


def _engines(request: Request) -> Engines:
    engines: Engines = request.app.state.engines
    return engines


def read_session(request: Request) -> Iterator[Session]:
    """A session for reading."""
    with Session(_engines(request).read, expire_on_commit=False) as session:
        yield session


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


def _writer(role: Role) -> Callable[..., Iterator[Write]]:
    def write_context(
        request: Request,
        response: Response,
        principal: Annotated[Principal | None, Depends(authenticate)],
        claim: Annotated[idempotency.Claim | None, Depends(idempotency.claim)],
    ) -> Iterator[Write]:
        who = require(principal, role)
        with AuditedSession(_engines(request).write, expire_on_commit=False) as session:
            try:
                if claim is not None:
                    request.app.state.idempotency.check(session, who, claim)
                yield Write(session, who, request, response, claim)
                session.flush()
                if session.info.get("changed") and not session.info.get("audited"):
                    raise RuntimeError(f"{request.method} {request.url.path} wrote records "
                                       "without an audit row")
                session.commit()
            except BaseException:
                session.rollback()
                raise

    write_context.required_role = role  # type: ignore[attr-defined]
    return write_context


AnalystWrite = Annotated[Write, Depends(_writer(Role.analyst), scope="function")]
EditorWrite = Annotated[Write, Depends(_writer(Role.editor), scope="function")]
AdminWrite = Annotated[Write, Depends(_writer(Role.admin), scope="function")]
