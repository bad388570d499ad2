"""Routes that record and show what happened to predictions and recommendations."""

from typing import Annotated

from fastapi import APIRouter, Path, Response

from app.deps import AnalystWrite, EditorWrite, ReadSession, writes
from app.errors import problem_responses
from app.outcomes import schemas as s
from app.outcomes import service
from app.schemas import MAX_ID
from app.trust.etags import etag_of

router = APIRouter()
PredictionId = Annotated[int, Path(ge=1, le=MAX_ID, description="The prediction's id.")]
RecommendationId = Annotated[int, Path(ge=1, le=MAX_ID, description="The recommendation's id.")]
READ = problem_responses(404, 422)
WRITE = problem_responses(400, 404, 409, 422)
BASE = "/predictions/{id}"


@router.get(f"{BASE}/resolutions", tags=["outcomes"], responses=READ)
def list_resolutions(id: PredictionId, session: ReadSession) -> s.History[s.ResolutionRead]:
    """The prediction's whole resolution history, oldest first; the last one is in force."""
    return s.History(items=service.list_resolutions(session, id))


@router.post(f"{BASE}/resolutions", tags=["outcomes"], status_code=201, responses=WRITE)
@writes
def resolve_prediction(
    id: PredictionId, body: s.ResolutionCreate, w: EditorWrite
) -> s.ResolutionRead:
    """Record an outcome with evidence; a correction names the resolution it supersedes."""
    created = service.resolve(w.session, id, body)
    w.audit("resolution", created.id, "create", None, created)
    return w.created(created, f"/v1/resolutions/{created.id}")  # type: ignore[no-any-return]


@router.get("/resolutions/{id}", tags=["outcomes"], responses=READ)
def get_resolution(
    id: Annotated[int, Path(ge=1, le=MAX_ID, description="The resolution's id.")],
    session: ReadSession, response: Response,
) -> s.ResolutionRead:
    """One resolution, with its evidence."""
    item = service.get_resolution(session, id)
    response.headers["ETag"] = etag_of(item)
    return item


@router.get(f"{BASE}/forecasts", tags=["outcomes"], responses=READ)
def list_forecasts(id: PredictionId, session: ReadSession) -> s.History[s.ForecastRead]:
    """Every forecast on the prediction, the author's first one included, by time made."""
    return s.History(items=service.list_forecasts(session, id))


@router.post(f"{BASE}/forecasts", tags=["outcomes"], status_code=201, responses=WRITE)
@writes
def create_forecast(id: PredictionId, body: s.ForecastCreate, w: AnalystWrite) -> s.ForecastRead:
    """Add an analyst's probability; it ends the same analyst's previous forecast."""
    created = service.add_forecast(w.session, id, body)
    w.audit("forecast", created.id, "create", None, created)
    return w.created(created, None)  # type: ignore[no-any-return]


@router.get(f"{BASE}/condition-checks", tags=["outcomes"], responses=READ)
def list_condition_checks(
    id: PredictionId, session: ReadSession
) -> s.History[s.ConditionCheckRead]:
    """Every finding on whether the prediction's condition held, oldest first."""
    return s.History(items=service.list_condition_checks(session, id))


@router.post(f"{BASE}/condition-checks", tags=["outcomes"], status_code=201, responses=WRITE)
@writes
def create_condition_check(
    id: PredictionId, body: s.ConditionCheckCreate, w: EditorWrite
) -> s.ConditionCheckRead:
    """Mark a conditional prediction's condition met or not met (not met makes it void)."""
    created = service.check_condition(w.session, id, body)
    w.audit("condition_check", created.id, "create", None, created)
    return w.created(created, None)  # type: ignore[no-any-return]


@router.get("/recommendations/{id}/status-changes", tags=["outcomes"], responses=READ)
def list_status_changes(
    id: RecommendationId, session: ReadSession
) -> s.History[s.StatusChangeRead]:
    """The recommendation's whole status history, oldest first."""
    return s.History(items=service.list_status_changes(session, id))


@router.post(
    "/recommendations/{id}/status-changes", tags=["outcomes"], status_code=201, responses=WRITE
)
@writes
def create_status_change(
    id: RecommendationId, body: s.StatusChangeCreate, w: EditorWrite
) -> s.StatusChangeRead:
    """Move the recommendation to a new status, dated, with evidence and a note."""
    created = service.change_status(w.session, id, body)
    w.audit("status_change", created.id, "create", None, created)
    return w.created(created, None)  # type: ignore[no-any-return]
