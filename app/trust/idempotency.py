"""`Idempotency-Key` on POST: the first response is stored with the write and replayed.

A key is remembered per API key for IDEMPOTENCY_TTL_HOURS. The same key with the same
body replays the stored response (status, body, Location and ETag) and creates nothing;
with a different body it is a 422. The record is written in the same transaction as the
creation, so a replay can never miss a write that happened.
"""

import hashlib
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import delete, select, tuple_
from sqlmodel import Session

from app.errors import BadRequest, UnprocessableContent
from app.models import IdempotencyRecord
from app.trust.keys import Principal
from app.types import utcnow

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
PURGE_EVERY_S = 600.0


@dataclass(frozen=True)
class Claim:
    """An idempotency key and the fingerprint of the request that carries it."""

    key: str
    fingerprint: str


class Replay(Exception):
    """Raised to answer with the stored response of an earlier, identical request."""

    def __init__(self, stored: IdempotencyRecord) -> None:
        super().__init__("idempotent replay")
        self.status, self.body, self.headers = stored.status_code, stored.body, stored.headers

    def response(self) -> Response:
        return Response(
            content=self.body, status_code=self.status, media_type="application/json",
            headers={**self.headers, "Idempotent-Replayed": "true"},
        )


async def claim(request: Request) -> Claim | None:
    """The request's idempotency claim, if it is a POST with the header (400 if malformed)."""
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise BadRequest(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable characters.")
    body = await request.body()
    with suppress(orjson.JSONDecodeError):  # the same JSON written differently is the same
        body = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.url.path.encode(),
                 request.url.query.encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return Claim(key=key, fingerprint=digest.hexdigest())


class Store:
    """Looks up and records idempotent responses; purges expired ones now and then."""

    def __init__(self, ttl_hours: int) -> None:
        self.ttl = timedelta(hours=ttl_hours)
        self._last_purge = 0.0

    def check(self, session: Session, principal: Principal, claim: Claim) -> None:
        """Raise Replay for a repeat, 422 for a reuse with another body; else return."""
        stored = session.get(IdempotencyRecord, (principal.key_id, claim.key))
        if stored is None:
            return
        if stored.created_at < utcnow() - self.ttl:
            session.delete(stored)
            session.flush()
            return
        if stored.fingerprint != claim.fingerprint:
            raise UnprocessableContent(
                f"This {HEADER} was already used with a different request; use a new key "
                "for a new request."
            )
        raise Replay(stored)

    def remember(
        self, session: Session, principal: Principal, claim: Claim, status: int, body: bytes,
        headers: dict[str, str],
    ) -> None:
        """Store the response to replay, in the write's transaction."""
        session.add(IdempotencyRecord(
            key_id=principal.key_id, idempotency_key=claim.key, fingerprint=claim.fingerprint,
            status_code=status, body=body.decode(), headers=headers,
        ))
        now = time.monotonic()
        if now - self._last_purge > PURGE_EVERY_S:
            self._last_purge = now
            self.purge(session)

    def purge(self, session: Session) -> None:
        """Delete the expired records. On PostgreSQL, those that no other transaction
        holds: a write reusing an expired key deletes its record itself, and waiting for
        it here, in a write that may hold the score rollups' turn that write waits for,
        would deadlock."""
        r: Any = IdempotencyRecord
        expired = r.created_at < utcnow() - self.ttl
        if session.get_bind().dialect.name != "postgresql":
            session.execute(delete(IdempotencyRecord).where(expired))
            return
        free = (select(r.key_id, r.idempotency_key).where(expired)
                .with_for_update(skip_locked=True))
        session.execute(delete(IdempotencyRecord).where(
            tuple_(r.key_id, r.idempotency_key).in_(free)))
