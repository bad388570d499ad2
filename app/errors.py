"""Errors as RFC 9457 problem details: one exception family, one renderer."""

import logging
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(BaseModel):
    """One invalid input: where it is, what is wrong with it."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    loc: list[str | int] = Field(description="Path to the field, e.g. ['body', 'quote', 'start'].")
    msg: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    type: str = Field(default="about:blank", description="URI that identifies the problem type.")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = Field(
        default=None, description="Field-level detail for validation errors."
    )


class AppError(Exception):
    """An error that knows its HTTP status."""

    status: int = 500
    title = "Internal Server Error"

    def __init__(self, detail: str | None = None, *, headers: dict[str, str] | None = None):
        super().__init__(detail or self.title)
        self.detail = detail
        self.headers = headers or {}


class BadRequest(AppError):
    status = 400
    title = "Bad Request"


class NotFound(AppError):
    status = 404
    title = "Not Found"


class Conflict(AppError):
    status = 409
    title = "Conflict"


class Unauthorized(AppError):
    status = 401
    title = "Unauthorized"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="policy-ledger"'})


class Forbidden(AppError):
    status = 403
    title = "Forbidden"


class PreconditionFailed(AppError):
    status = 412
    title = "Precondition Failed"


class UnprocessableContent(AppError):
    status = 422
    title = "Unprocessable Content"


class PreconditionRequired(AppError):
    status = 428
    title = "Precondition Required"


class TooManyRequests(AppError):
    status = 429
    title = "Too Many Requests"


class ServiceUnavailable(AppError):
    status = 503
    title = "Service Unavailable"


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Render a problem document with the problem+json media type."""
    body = Problem(
        title=title or HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=instance,
        errors=[FieldError(**e) for e in errors] if errors is not None else None,
    )
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": [str(p) if not isinstance(p, int) else p for p in e["loc"]],
         "msg": e["msg"], "type": e["type"]}
        for e in exc.errors()
    ]


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem_response(exc.status, exc.detail, title=exc.title,
                            instance=request.url.path, headers=exc.headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _field_errors(exc)
    fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in errors)
    return problem_response(422, f"Invalid input: {fields}", errors=errors,
                            instance=request.url.path)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return problem_response(exc.status_code, detail, instance=request.url.path, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    """Every method served at this path (Starlette's own 405 names only one route's)."""
    table = getattr(request.app.state, "allowed_methods", None)
    if table is None:
        table = [
            (re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", path) + "$"),
             sorted(m.upper() for m in ops))
            for path, ops in request.app.openapi()["paths"].items()
        ]
        request.app.state.allowed_methods = table
    return next((methods for regex, methods in table if regex.match(request.url.path)), [])


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    log.info("integrity error on %s: %s", request.url.path, exc)
    return problem_response(409, "The change conflicts with existing records.",
                            instance=request.url.path)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OperationalError)
    if "database is locked" in str(exc.orig):
        # Another process held SQLite's write lock past the busy timeout: nothing was written.
        log.warning("%s %s: the database stayed locked past the busy timeout",
                    request.method, request.url.path)
        return problem_response(503, "The database is busy with another writer; nothing "
                                "was written. Retry shortly.", instance=request.url.path,
                                headers={"Retry-After": "1"})
    return await _unhandled(request, exc)


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(500, "An unexpected error occurred.", instance=request.url.path)


def install_error_handlers(app: FastAPI) -> None:
    """Route every error the app can raise through the problem renderer."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(OperationalError, _database_error)
    app.add_exception_handler(Exception, _unhandled)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries declaring the problem schema for each status."""
    return {
        s: {
            "model": Problem,
            "description": HTTPStatus(s).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for s in statuses
    }
