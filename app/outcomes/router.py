"""Routes that record and show what happened to predictions and recommendations."""

from typing import Annotated

from fastapi import APIRouter, Path, Response

from app.deps import ReadSession, WriteSession
from app.errors import problem_responses
from app.outcomes import schemas as s
from app.outcomes import service
from app.schemas import MAX_ID

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
def resolve_prediction(
    id: PredictionId, body: s.ResolutionCreate, session: WriteSession, response: Response
) -> s.ResolutionRead:
    """Record an outcome with evidence; a correction names the resolution it supersedes."""
    created = service.resolve(session, id, body)
    response.headers["Location"] = f"/v1/predictions/{id}/resolutions"
    return created


@router.get("/resolutions/{id}", tags=["outcomes"], responses=READ)
def get_resolution(
    id: Annotated[int, Path(ge=1, le=MAX_ID, description="The resolution's id.")],
    session: ReadSession,
) -> s.ResolutionRead:
    """One resolution, with its evidence."""
    return service.get_resolution(session, id)


@router.get(f"{BASE}/forecasts", tags=["outcomes"], responses=READ)
def list_forecasts(id: PredictionId, session: ReadSession) -> s.History[s.ForecastRead]:
    """Every forecast on the prediction, the author's first one included, by time made."""
    return s.History(items=service.list_forecasts(session, id))


@router.post(f"{BASE}/forecasts", tags=["outcomes"], status_code=201, responses=WRITE)
def create_forecast(
    id: PredictionId, body: s.ForecastCreate, session: WriteSession
) -> s.ForecastRead:
    """Add an analyst's probability; it ends the same analyst's previous forecast."""
    return service.add_forecast(session, id, body)


@router.get(f"{BASE}/condition-checks", tags=["outcomes"], responses=READ)
def list_condition_checks(
    id: PredictionId, session: ReadSession
) -> s.History[s.ConditionCheckRead]:
    """Every finding on whether the prediction's condition held, oldest first."""
    return s.History(items=service.list_condition_checks(session, id))


@router.post(f"{BASE}/condition-checks", tags=["outcomes"], status_code=201, responses=WRITE)
def create_condition_check(
    id: PredictionId, body: s.ConditionCheckCreate, session: WriteSession
) -> s.ConditionCheckRead:
    """Mark a conditional prediction's condition met or not met (not met makes it void)."""
    return service.check_condition(session, id, body)


@router.get("/recommendations/{id}/status-changes", tags=["outcomes"], responses=READ)
def list_status_changes(
    id: RecommendationId, session: ReadSession
) -> s.History[s.StatusChangeRead]:
    """The recommendation's whole status history, oldest first."""
    return s.History(items=service.list_status_changes(session, id))


@router.post(
    "/recommendations/{id}/status-changes", tags=["outcomes"], status_code=201, responses=WRITE
)
def create_status_change(
    id: RecommendationId, body: s.StatusChangeCreate, session: WriteSession
) -> s.StatusChangeRead:
    """Move the recommendation to a new status, dated, with evidence and a note."""
    return service.change_status(session, id, body)
