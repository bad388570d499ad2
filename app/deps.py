"""Request-scoped database sessions: readers share a pool, writers commit at the boundary."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.db import Engines


def _engines(request: Request) -> Engines:
    engines: Engines = request.app.state.engines
    return engines


def read_session(request: Request) -> Iterator[Session]:
    """A session for reading."""
    with Session(_engines(request).read, expire_on_commit=False) as session:
        yield session


def write_session(request: Request) -> Iterator[Session]:
    """A session for one write: committed when the route returns, rolled back on error."""
    with Session(_engines(request).write, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


ReadSession = Annotated[Session, Depends(read_session)]
WriteSession = Annotated[Session, Depends(write_session, scope="function")]
