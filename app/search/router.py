"""GET /v1/search: one ranked list across every kind of record."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from app.deps import ReadSession
from app.errors import problem_responses
from app.pagination import set_link_header
from app.schemas import Output
from app.search import service

RecordType = Literal[
    "report", "document", "prediction", "recommendation", "annotation", "analyst", "actor"
]
router = APIRouter(tags=["search"])


class SearchParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str = Field(
        min_length=1, max_length=1000,
        description='Words, "phrases", prefixes (denuclear*) and -exclusions.',
    )
    type: list[RecordType] = Field(
        default_factory=list, max_length=7, description="Only these record types."
    )
    limit: int = Field(default=20, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=1000)


class Hit(Output):
    type: RecordType
    id: int
    title: str
    score: float = Field(description="Relevance; higher is better.")
    snippet: str = Field(description="HTML-escaped text with matches in <mark>…</mark>.")


class SearchPage(Output):
    items: list[Hit]
    next_cursor: str | None


@router.get("/search", responses=problem_responses(400, 422))
def search_records(
    request: Request, response: Response, session: ReadSession,
    params: Annotated[SearchParams, Query()],
) -> SearchPage:
    """Search reports, documents, predictions, recommendations, annotations, analysts and
    actors (with their aliases); best matches first, one keyset page at a time.

    A query whose words are in more than 5,000 records is ranked in windows: the first
    page ranks the matches among the 5,000 newest records holding every word, and the
    pages after it move on to older windows. Every match is listed once."""
    hits, next_cursor = service.search(
        session, params.q, list(params.type), params.limit, params.cursor
    )
    set_link_header(request, response, next_cursor)
    return SearchPage(items=[Hit(**h) for h in hits], next_cursor=next_cursor)
