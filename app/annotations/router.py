"""Routes for annotations; JSON by default, W3C Web Annotation JSON-LD on request."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from app.annotations import schemas as s
from app.annotations import service
from app.deps import ReadSession, WriteSession
from app.errors import problem_responses
from app.pagination import Page, set_link_header
from app.schemas import MAX_ID

router = APIRouter(prefix="/annotations", tags=["annotations"])
AnnotationId = Annotated[int, Path(ge=1, le=MAX_ID, description="The annotation's id.")]
JSONLD = "application/ld+json"
LD_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {JSONLD: {"schema": {
    "type": "object", "description": "W3C Web Annotation JSON-LD (send Accept: "
    "application/ld+json)."}}}}}


def _wants_jsonld(request: Request) -> bool:
    return JSONLD in request.headers.get("accept", "")


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("", responses={**LD_RESPONSE, **problem_responses(400, 422)})
def list_annotations(
    request: Request, response: Response, session: ReadSession,
    q: Annotated[s.AnnotationQuery, Query()],
) -> Page[s.AnnotationRead]:
    """List annotations by target, author, tag, motivation or date; as an AnnotationPage
    with `Accept: application/ld+json`."""
    items, next_cursor, total = service.list_page(session, q)
    if _wants_jsonld(request):
        next_url = (str(request.url.include_query_params(cursor=next_cursor))
                    if next_cursor else None)
        return JSONResponse(  # type: ignore[return-value]
            service.page_jsonld(items, _base(request), str(request.url), next_url),
            media_type=JSONLD)
    set_link_header(request, response, next_cursor)
    return Page[s.AnnotationRead](items=items, next_cursor=next_cursor, total=total)


@router.post("", status_code=201, responses=problem_responses(400, 409, 422))
def create_annotation(
    body: s.AnnotationCreate, session: WriteSession, response: Response
) -> s.AnnotationRead:
    """Annotate a record, a span of a document's text, or reply to an annotation."""
    created = service.create(session, body)
    response.headers["Location"] = f"/v1/annotations/{created.id}"
    return created


@router.get("/{id}", responses={**LD_RESPONSE, **problem_responses(404, 422)})
def get_annotation(id: AnnotationId, request: Request, session: ReadSession) -> s.AnnotationRead:
    """One annotation; W3C Web Annotation JSON-LD with `Accept: application/ld+json`."""
    note = service.get(session, id)
    if _wants_jsonld(request):
        return JSONResponse(service.to_jsonld(note, _base(request)),  # type: ignore[return-value]
                            media_type=JSONLD)
    return note


@router.patch("/{id}", responses=problem_responses(400, 404, 409, 422))
def update_annotation(
    id: AnnotationId, body: s.AnnotationUpdate, session: WriteSession
) -> s.AnnotationRead:
    """Change an annotation's body, format, motivation or tags."""
    return service.update(session, id, body)


@router.delete("/{id}", status_code=204, response_class=Response,
               responses={204: {"description": "Deleted."}, **problem_responses(404, 409, 422)})
def delete_annotation(id: AnnotationId, session: WriteSession) -> Response:
    """Delete an annotation that has no replies."""
    service.remove(session, id)
    return Response(status_code=204)
