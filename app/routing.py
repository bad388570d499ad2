"""Builds the five standard routes of a record type from its `Resource`."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import BaseModel

from app import crud
from app.crud import Resource
from app.deps import EditorWrite, ReadSession
from app.errors import problem_responses
from app.pagination import Page, set_link_header
from app.schemas import MAX_ID
from app.trust.etags import etag_of
from app.trust.history import AuditEventRead, HistoryQuery, history_page

# Every record type that has the five standard routes, by plural: the fast path
# (app/fastpath.py) answers their plain reads.
RESOURCES: dict[str, Resource] = {}

RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="The record's numeric id.")]


def json_response(model: BaseModel, response: Response | None = None) -> Response:
    """The model as JSON, sent as it is: it was validated when it was built, so FastAPI's
    second validation against the response model is skipped. The bytes are those FastAPI
    would send (no aliases; the test suite checks every response against the OpenAPI
    schema). Headers already set on the route's `response` go with it."""
    return Response(content=model.__pydantic_serializer__.to_json(model),
                    media_type="application/json",
                    headers=dict(response.headers) if response is not None else None)


def crud_router(resource: Resource, *, deletable: bool = True) -> APIRouter:
    """list_<plural>, get_/create_/update_/delete_<singular> for one resource."""
    router = APIRouter(prefix=f"/{resource.plural}", tags=[resource.plural])
    RESOURCES[resource.plural] = resource
    read, create, update, query = resource.read, resource.create, resource.update, resource.query
    one, many = resource.singular, resource.plural

    def list_records(
        request: Request, response: Response, session: ReadSession,
        q: Annotated[query, Query()],  # type: ignore[valid-type]
    ) -> Any:
        # The default order may depend on the filters (due predictions: oldest deadline first).
        sort = q.sort if "sort" in request.query_params else resource.default_sort(q)  # type: ignore[attr-defined]
        items, next_cursor, total = crud.list_page(
            session, resource, q, sort=sort, include=getattr(q, "include", [])  # type: ignore[attr-defined]
        )
        set_link_header(request, response, next_cursor)
        page = Page[read](items=items, next_cursor=next_cursor, total=total)  # type: ignore[valid-type]
        return json_response(page, response)

    async def get_record(id: RecordId, session: ReadSession, response: Response) -> Any:
        # A few indexed point reads: run on the event loop, without a thread-pool hand-off.
        item = crud.hydrate(session, resource, [crud.read_row(session, resource, id)])[0]
        response.headers["ETag"] = etag_of(item)
        return json_response(item, response)

    if resource.includes:
        include_type = query.model_fields["include"].annotation

        async def get_record(  # type: ignore[misc]
            id: RecordId, session: ReadSession, response: Response,
            include: Annotated[include_type, Query(description="Related records to embed.")] = [],  # type: ignore[valid-type]  # noqa: B006
        ) -> Any:
            row = crud.read_row(session, resource, id)
            item = crud.hydrate(session, resource, [row], include)[0]
            response.headers["ETag"] = etag_of(item)
            return json_response(item, response)

    def create_record(body: create, w: EditorWrite) -> BaseModel:  # type: ignore[valid-type]
        created = crud.create(w.session, resource, body)
        record_id: int = created.id  # type: ignore[attr-defined]
        w.audit(one, record_id, "create", None, created)
        return w.created(created, f"/v1/{many}/{record_id}")  # type: ignore[no-any-return]

    def update_record(id: RecordId, body: update, w: EditorWrite) -> BaseModel:  # type: ignore[valid-type]
        row = crud.get_row(w.session, resource, id, lock=True)
        w.if_match(row.version)
        before = crud.hydrate(w.session, resource, [row])[0]
        after = crud.update(w.session, resource, id, body)
        w.audit(one, id, "update", before, after)
        return w.item(after)

    def delete_record(id: RecordId, w: EditorWrite) -> Response:
        row = crud.get_row(w.session, resource, id, lock=True)
        w.if_match(row.version)
        before = crud.hydrate(w.session, resource, [row])[0]
        crud.delete(w.session, resource, id)
        w.audit(one, id, "delete", before, None)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    def record_history(
        id: RecordId, request: Request, response: Response, session: ReadSession,
        q: Annotated[HistoryQuery, Query()],
    ) -> Page[AuditEventRead]:
        page = history_page(session, q, record_type=one, record_id=id)
        set_link_header(request, response, page.next_cursor)
        return page

    record_history.__doc__ = (
        f"Every change to one {one}, oldest first: who made it, when, and the values "
        "before and after. The record need not still exist."
    )
    list_records.__doc__ = f"List {many}, filtered and sorted, one keyset page at a time."
    get_record.__doc__ = f"Get one {one} by id."
    create_record.__doc__ = f"Create a {one}."
    update_record.__doc__ = f"Change some fields of a {one}; fields left out stay as they are."
    delete_record.__doc__ = f"Delete a {one} that no other record refers to."

    router.add_api_route(
        "", list_records, methods=["GET"], name=f"list_{many}", response_model=Page[read],  # type: ignore[valid-type]
        responses=problem_responses(400, 422),
    )
    router.add_api_route(
        "/{id}", get_record, methods=["GET"], name=f"get_{one}", response_model=read,
        responses=problem_responses(404, 422),
    )
    router.add_api_route(
        "", create_record, methods=["POST"], name=f"create_{one}", response_model=read,
        status_code=201, responses=problem_responses(400, 409, 422),
    )
    router.add_api_route(
        "/{id}", update_record, methods=["PATCH"], name=f"update_{one}", response_model=read,
        responses=problem_responses(400, 404, 409, 422),
    )
    router.add_api_route(
        "/{id}/history", record_history, methods=["GET"], name=f"get_{one}_history",
        response_model=Page[AuditEventRead], responses=problem_responses(400, 422),
    )
    if deletable:
        router.add_api_route(
            "/{id}", delete_record, methods=["DELETE"], name=f"delete_{one}",
            status_code=204, response_class=Response,
            responses={204: {"description": "Deleted."}, **problem_responses(404, 409, 422)},
        )
    return router

