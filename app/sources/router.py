"""Routes for documents, reports and events."""

from fastapi import APIRouter

from app.routing import crud_router
from app.sources import service

router = APIRouter()
for _resource in (service.documents, service.reports, service.events):
    router.include_router(crud_router(_resource))
