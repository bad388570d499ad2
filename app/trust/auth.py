"""Who is calling: the Bearer key, the role it carries, and a per-client rate limit."""

import math
import threading
import time
from collections import OrderedDict
from contextlib import nullcontext
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from app.config import Settings
from app.db import Engines, writer_queue
from app.errors import Forbidden, TooManyRequests, Unauthorized
from app.trust.keys import KeyVerifier, Principal, Role

MAX_TRACKED_CLIENTS = 10_000
_UNKNOWN = object()


class RateLimiter:
    """A token bucket per client: `per_minute` requests a minute, bursts up to that many."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait_needed(self, client: str) -> float:
        """0 when the request may go ahead (and is counted), else seconds until it may."""
        if self.per_minute <= 0:
            return 0.0
        rate, now = self.per_minute / 60.0, time.monotonic()
        with self._lock:
            tokens, then = self._buckets.pop(client, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - then) * rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / rate
            self._buckets[client] = (tokens - 1 if wait == 0 else tokens, now)
            while len(self._buckets) > MAX_TRACKED_CLIENTS:
                self._buckets.popitem(last=False)
        return wait


def _verifier(request: Request) -> KeyVerifier:
    verifier: KeyVerifier = request.app.state.key_verifier
    return verifier


async def authenticate(request: Request) -> Principal | None:
    """The caller's principal from `Authorization: Bearer <key>`; None without the header.

    A header that is present but wrong (another scheme, an unknown or revoked key) is a
    401 on every route, reads included, so a client never mistakes a bad key for none.
    An anonymous request needs no database. A key is looked up on the event loop on
    SQLite (one indexed read of a local file costs less than a thread-pool hand-off) and
    in the thread pool on PostgreSQL, which waits on the network; writing the key's
    `last_used_at`, at most once a minute, is always done in the thread pool (it may wait
    for another process's write lock, which the event loop must not do), and on SQLite in
    its turn for the one write connection, like every write.
    """
    known = getattr(request.state, "principal", _UNKNOWN)
    if known is not _UNKNOWN:
        return known  # type: ignore[return-value]
    header = request.headers.get("authorization")
    principal = None
    if header is not None:
        scheme, _, key = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise Unauthorized("Send the key as `Authorization: Bearer <key>`.")
        engines: Engines = request.app.state.engines
        verifier = _verifier(request)
        if engines.read.dialect.name == "sqlite":
            principal = verifier.verify(engines.loop, key.strip())
        else:
            principal = await run_in_threadpool(verifier.verify, engines.read, key.strip())
        if principal is None:
            raise Unauthorized("The API key is unknown or has been revoked.")
        if verifier.use_due(principal.key_id):
            async with (writer_queue(request.app.state) if engines.write.dialect.name == "sqlite"
                        else nullcontext()):
                await run_in_threadpool(verifier.note_use, engines.write, principal.key_id)
    request.state.principal = principal
    _limit(request, principal)
    return principal


def _limit(request: Request, principal: Principal | None) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    client = (f"key:{principal.key_id}" if principal is not None
              else f"addr:{request.client.host if request.client else '-'}")
    wait = limiter.wait_needed(client)
    if wait > 0:
        raise TooManyRequests(
            f"More than {limiter.per_minute} requests a minute; retry after the pause.",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )


async def read_access(request: Request) -> Principal | None:
    """Every /v1 route: public unless PUBLIC_READ=false, then any valid key."""
    principal = await authenticate(request)
    settings: Settings = request.app.state.settings
    if principal is None and not settings.public_read:
        raise Unauthorized("Reading needs an API key on this server (PUBLIC_READ=false).")
    return principal


def require(principal: Principal | None, role: Role) -> Principal:
    """The principal, if it holds `role` or a higher one; else 401 or 403."""
    if principal is None:
        raise Unauthorized(f"This route needs an API key with the {role.value} role; send "
                           "`Authorization: Bearer <key>`.")
    if not principal.role.allows(role):
        raise Forbidden(f"This route needs the {role.value} role; the key "
                        f"{principal.name!r} has the {principal.role.value} role.")
    return principal


def requires_role(role: Role) -> Any:
    """A route dependency that admits `role` and above (for routes that do not write)."""

    async def dependency(
        principal: Annotated[Principal | None, Depends(authenticate)],
    ) -> Principal:
        return require(principal, role)

    dependency.required_role = role  # type: ignore[attr-defined]
    return Depends(dependency)
