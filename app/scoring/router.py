"""Routes for scores, track records and calibration charts."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from app.deps import ReadSession
from app.errors import problem_responses
from app.routing import json_response
from app.schemas import MAX_ID
from app.scoring import charts, service
from app.scoring import schemas as s
from app.scoring.cache import ReportCache, generation

router = APIRouter(tags=["scores"])
AnalystId = Annotated[int, Path(ge=1, le=MAX_ID, description="The analyst's id.")]
SVG: dict[int | str, dict[str, Any]] = {200: {"description": "An SVG image.",
             "content": {"image/svg+xml": {"schema": {"type": "string"}}}}}


def _svg(cal: s.Calibration) -> Response:
    return Response(charts.calibration_svg(cal), media_type="image/svg+xml")


@router.get("/scores", response_model=s.ScoreReport, responses=problem_responses(422))
async def get_scores(
    request: Request, session: ReadSession, q: Annotated[s.ScoreQuery, Query()]
) -> Response:
    """Brier, log loss, skill and Murphy terms per group; what was left out, and why."""
    if not service.is_unfiltered(q):
        return await run_in_threadpool(lambda: json_response(service.scores(session, q)))
    # A kept report is checked (one indexed read) and sent from the event loop; computing
    # one runs in the thread pool, in the same transaction as that read.
    cache: ReportCache = request.app.state.score_cache
    key = (q.group_by, q.probability, q.brier_form)
    current = generation(session)
    body = cache.fresh(key, current)
    if body is None:
        body = await run_in_threadpool(
            lambda: service.scores(session, q).model_dump_json().encode())
        cache.put(key, current, body)
    return Response(body, media_type="application/json")


@router.get("/scores/calibration", responses=problem_responses(422))
def get_calibration(session: ReadSession, q: Annotated[s.ScoreFilters, Query()]) -> s.Calibration:
    """Calibration table (10 bins) for the predictions the filters select."""
    return service.calibration(session, q, "Calibration")


@router.get("/scores/calibration.svg", response_class=Response,
            responses={**SVG, **problem_responses(422)})
def get_calibration_chart(session: ReadSession, q: Annotated[s.ScoreFilters, Query()]) -> Response:
    """Calibration chart (SVG) for the predictions the filters select."""
    return _svg(service.calibration(session, q, "Calibration"))


@router.get("/scores/calibration.vl.json", responses=problem_responses(422))
def get_calibration_spec(
    session: ReadSession, q: Annotated[s.ScoreFilters, Query()]
) -> dict[str, Any]:
    """Calibration chart as a Vega-Lite v5 spec with the data inlined."""
    return charts.calibration_vega_lite(service.calibration(session, q, "Calibration"))


@router.get("/analysts/{id}/track-record", response_model=s.TrackRecord,
            responses=problem_responses(404, 422))
async def get_track_record(
    id: AnalystId, session: ReadSession, q: Annotated[s.RecordFilters, Query()]
) -> Response:
    """One analyst's scores, calibration and how their recommendations fared."""
    if service.is_whole_record(q):
        # Three indexed reads (name, rollup rows, adoption): on the event loop.
        return json_response(service.track_record(session, id, q))
    record = await run_in_threadpool(service.track_record, session, id, q)
    return json_response(record)


@router.get("/analysts/{id}/calibration.svg", response_class=Response,
            responses={**SVG, **problem_responses(404, 422)})
def get_analyst_calibration_chart(
    id: AnalystId, session: ReadSession, q: Annotated[s.RecordFilters, Query()]
) -> Response:
    """One analyst's calibration chart (SVG)."""
    record = service.track_record(session, id, q)
    return _svg(record.calibration)


@router.get("/analysts/{id}/calibration.vl.json", responses=problem_responses(404, 422))
def get_analyst_calibration_spec(
    id: AnalystId, session: ReadSession, q: Annotated[s.RecordFilters, Query()]
) -> dict[str, Any]:
    """One analyst's calibration chart as a Vega-Lite v5 spec."""
    return charts.calibration_vega_lite(service.track_record(session, id, q).calibration)
