"""Routes for annotations; JSON by default, W3C Web Annotation JSON-LD on request."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from app.annotations import schemas as s
from app.annotations import service
from app.deps import AnalystWrite, ReadSession, Write, writes
from app.errors import Forbidden, problem_responses
from app.models import Annotation
from app.pagination import Page, set_link_header
from app.schemas import MAX_ID
from app.trust.etags import etag_of
from app.trust.history import AuditEventRead, HistoryQuery, history_page
from app.trust.keys import Role

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
@writes
def create_annotation(body: s.AnnotationCreate, w: AnalystWrite) -> s.AnnotationRead:
    """Annotate a record, a span of a document's text, or reply to an annotation; the
    key's name becomes the author."""
    created = service.create(w.session, body, author=w.principal.name)
    w.audit("annotation", created.id, "create", None, created)
    return w.created(created, f"/v1/annotations/{created.id}")  # type: ignore[no-any-return]


@router.get("/{id}", responses={**LD_RESPONSE, **problem_responses(404, 422)})
def get_annotation(
    id: AnnotationId, request: Request, response: Response, session: ReadSession
) -> s.AnnotationRead:
    """One annotation; W3C Web Annotation JSON-LD with `Accept: application/ld+json`."""
    note = service.get(session, id)
    if _wants_jsonld(request):
        return JSONResponse(service.to_jsonld(note, _base(request)),  # type: ignore[return-value]
                            media_type=JSONLD, headers={"ETag": etag_of(note)})
    response.headers["ETag"] = etag_of(note)
    return note


def _author_and_version(w: Write) -> service.Guard:
    def guard(row: Annotation) -> None:
        if row.author != w.principal.name and w.principal.role is not Role.admin:
            raise Forbidden(f"Only the author ({row.author!r}) or an admin may change "
                            f"annotation {row.id}.")
        w.if_match(row.version)
    return guard


@router.patch("/{id}", responses=problem_responses(400, 404, 409, 422))
@writes
def update_annotation(
    id: AnnotationId, body: s.AnnotationUpdate, w: AnalystWrite
) -> s.AnnotationRead:
    """Change an annotation's body, format, motivation or tags (its author or an admin)."""
    before, after = service.update(w.session, id, body, _author_and_version(w))
    w.audit("annotation", id, "update", before, after)
    return w.item(after)  # type: ignore[return-value]


@router.delete("/{id}", status_code=204, response_class=Response,
               responses={204: {"description": "Deleted."}, **problem_responses(404, 409, 422)})
@writes
def delete_annotation(id: AnnotationId, w: AnalystWrite) -> Response:
    """Delete an annotation that has no replies (its author or an admin)."""
    before = service.remove(w.session, id, _author_and_version(w))
    w.audit("annotation", id, "delete", before, None)
    return Response(status_code=204)


@router.get("/{id}/history", responses=problem_responses(400, 422))
def get_annotation_history(
    id: AnnotationId, request: Request, response: Response, session: ReadSession,
    q: Annotated[HistoryQuery, Query()],
) -> Page[AuditEventRead]:
    """Every change to one annotation, oldest first, with the values before and after."""
    page = history_page(session, q, record_type="annotation", record_id=id)
    set_link_header(request, response, page.next_cursor)
    return page
