"""Administration: API keys and the whole audit trail (admin keys only)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select

from app.deps import AdminWrite, ReadSession, writes
from app.errors import BadRequest, NotFound, problem_responses
from app.models import ApiKey
from app.pagination import Page, set_link_header
from app.schemas import MAX_ID
from app.trust import keys
from app.trust.auth import requires_role
from app.trust.history import AuditEventAdminRead, AuditQuery, history_page
from app.trust.keys import Role
from app.trust.schemas import KeyCreate, KeyCreated, KeyRead


class KeyQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revoked: bool = Field(default=True, description="Include revoked keys.")


router = APIRouter(tags=["administration"])
admin_only = [requires_role(Role.admin)]
KeyId = Annotated[int, Path(ge=1, le=MAX_ID, description="The key's id.")]


@router.get("/keys", dependencies=admin_only, responses=problem_responses(422))
def list_keys(session: ReadSession, q: Annotated[KeyQuery, Query()]) -> list[KeyRead]:
    """Every API key, without secrets, oldest first."""
    return [KeyRead.model_validate(k) for k in keys.list_keys(session, q.revoked)]


@router.post("/keys", status_code=201, responses=problem_responses(400, 409, 422))
@writes
def create_key(body: KeyCreate, w: AdminWrite) -> KeyCreated:
    """Create a key; the response is the only place its secret ever appears. Does not take
    `Idempotency-Key` (a replay would have to store the secret)."""
    if w.claim is not None:
        raise BadRequest("POST /v1/keys does not take Idempotency-Key: the key's secret is "
                         "never stored, so its response cannot be replayed.")
    row, secret = keys.create_key(w.session, body.name, body.role)
    read = KeyRead.model_validate(row)
    w.audit("api_key", read.id, "create", None, read)
    w.created(read, f"/v1/keys/{read.id}")
    return KeyCreated(**read.model_dump(), key=secret)


def _key(session: ReadSession, id: int) -> ApiKey:
    row = session.scalar(select(ApiKey).where(col(ApiKey.id) == id))
    if row is None:
        raise NotFound(f"No API key with id {id}.")
    return row


@router.get("/keys/{id}", dependencies=admin_only, responses=problem_responses(404, 422))
def get_key(id: KeyId, session: ReadSession, response: Response) -> KeyRead:
    """One API key, without its secret."""
    read = KeyRead.model_validate(_key(session, id))
    response.headers["ETag"] = f'"{read.version}"'
    return read


@router.delete("/keys/{id}", status_code=204, response_class=Response,
               responses={204: {"description": "Revoked."}, **problem_responses(404, 409, 422)})
@writes
def revoke_key(id: KeyId, w: AdminWrite) -> Response:
    """Revoke a key: it stops working at once and stays listed, marked revoked."""
    row = w.session.get(ApiKey, id, with_for_update=True)
    if row is None:
        raise NotFound(f"No API key with id {id}.")
    w.if_match(row.version)
    before = KeyRead.model_validate(row)
    after = KeyRead.model_validate(keys.revoke_key(w.session, row))
    w.audit("api_key", id, "revoke", before, after)
    return Response(status_code=204)


@router.get("/audit", dependencies=admin_only, responses=problem_responses(400, 422))
def list_audit_events(
    request: Request, response: Response, session: ReadSession,
    q: Annotated[AuditQuery, Query()],
) -> Page[AuditEventAdminRead]:
    """The whole audit trail, oldest first, filtered by record, actor, action and time."""
    page = history_page(session, q, record_type=q.record_type, record_id=q.record_id,
                        admin=True)
    set_link_header(request, response, page.next_cursor)
    return page
