"""Routes for predictions and recommendations, and the estimative scale they use."""

from fastapi import APIRouter
from pydantic import BaseModel

from app.claims import service
from app.estimative import SCALE
from app.routing import crud_router
from app.schemas import Output

router = APIRouter()
for _resource in (service.predictions, service.recommendations):
    router.include_router(crud_router(_resource))


class BandRead(Output):
    term: str
    low: float
    high: float
    implied_probability: float
    source: str
    phrases: list[str]


class ScaleRead(BaseModel):
    bands: list[BandRead]


@router.get("/estimative-scale", tags=["predictions"], name="get_estimative_scale")
def get_estimative_scale() -> ScaleRead:
    """The scale that maps hedge words (the cue) to an implied probability."""
    return ScaleRead(bands=[
        BandRead(term=b.term, low=b.low, high=b.high, implied_probability=b.midpoint,
                 source=b.source, phrases=list(b.phrases))
        for b in SCALE
    ])
