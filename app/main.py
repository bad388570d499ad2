"""The application factory: routers, error handlers, health and the OpenAPI document."""

import gc
import logging
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import text
from starlette.responses import Response

from app.annotations.router import router as annotations_router
from app.claims.router import router as claims_router
from app.config import Settings, get_settings
from app.db import Checkpoints, Engines, get_engines
from app.directory.router import router as directory_router
from app.errors import (
    PROBLEM_MEDIA_TYPE,
    ServiceUnavailable,
    install_error_handlers,
    problem_responses,
)
from app.fastpath import FastReads
from app.outcomes.router import router as outcomes_router
from app.routing import RESOURCES
from app.scoring.cache import ReportCache
from app.scoring.router import router as scoring_router
from app.search.router import router as search_router
from app.sources.router import router as sources_router
from app.trust import idempotency
from app.trust.auth import RateLimiter, read_access
from app.trust.keys import KeyVerifier
from app.trust.limits import BodySizeLimit
from app.trust.openapi import document_trust
from app.trust.router import router as trust_router

log = logging.getLogger("app")

DESCRIPTION = """
Policy Ledger stores think-tank reports, the analysts who wrote them, their predictions
and recommendations — each with the verbatim quote it comes from — and keeps score.

Lists use keyset pagination: follow `next_cursor` (or the `Link: rel="next"` header).
Every error is an RFC 9457 `application/problem+json` document.
"""


def _operation_id(route: APIRoute) -> str:
    return route.name


class Health(BaseModel):
    status: str
    database: str


health_router = APIRouter(tags=["health"])


@health_router.get("/healthz", name="get_liveness")
def get_liveness() -> Health:
    """The process is up (does not touch the database)."""
    return Health(status="ok", database="not checked")


@health_router.get("/readyz", name="get_readiness", responses=problem_responses(503))
def get_readiness(request: Request) -> Health:
    """The database answers a query."""
    engines: Engines = request.app.state.engines
    try:
        with engines.read.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("readiness check failed: %s", exc)
        raise ServiceUnavailable("The database does not answer.") from exc
    return Health(status="ok", database=engines.read.dialect.name)


def create_app(engines: Engines | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the ASGI app; tests pass their own engines and settings."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Everything built at start-up (routes, schemas, metadata: some 170,000 objects)
        # lives as long as the process; frozen, the collector stops rescanning it, and a
        # full collection no longer stalls every request in flight for tens of ms.
        gc.collect()
        gc.freeze()
        checkpoints = Checkpoints(app.state.engines,
                                  settings.sqlite_checkpoint_interval_ms / 1000)
        checkpoints.start()
        try:
            yield
        finally:
            checkpoints.stop()
            if engines is None:
                app.state.engines.dispose()

    app = FastAPI(
        title="Policy Ledger",
        version="0.1.0",
        description=DESCRIPTION,
        generate_unique_id_function=_operation_id,
        lifespan=lifespan,
    )
    app.state.engines = engines or get_engines()
    app.state.settings = settings
    app.state.key_verifier = KeyVerifier()
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.idempotency = idempotency.Store(settings.idempotency_ttl_hours)
    app.state.score_cache = ReportCache()
    app.state.writer_locks = weakref.WeakKeyDictionary()
    install_error_handlers(app)
    app.add_exception_handler(idempotency.Replay, _replay)
    if settings.fast_reads:
        app.add_middleware(FastReads, resources=RESOURCES)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origin_list:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origin_list, allow_credentials=False,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key"],
            expose_headers=["ETag", "Location", "Link", "Retry-After", "Idempotent-Replayed"],
        )
    v1 = APIRouter(prefix="/v1", dependencies=[Depends(read_access)])
    routers = (directory_router, sources_router, claims_router, outcomes_router, scoring_router,
               search_router, annotations_router, trust_router)
    for router in routers:
        v1.include_router(router)
    app.include_router(v1)
    app.include_router(health_router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


async def _replay(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, idempotency.Replay)
    return exc.response()


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, with error responses declared only as problem+json."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description,
                         routes=app.routes)
    for path in schema["paths"].values():
        for op in path.values():
            for code, response in op.get("responses", {}).items():
                content = response.get("content", {})
                if code[0] in "45" and PROBLEM_MEDIA_TYPE in content:
                    content.pop("application/json", None)
                if code == "422":
                    response["content"] = {
                        PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
                    }
    document_trust(app, schema)
    schema["components"]["schemas"].pop("HTTPValidationError", None)
    schema["components"]["schemas"].pop("ValidationError", None)
    app.openapi_schema = schema
    return schema
