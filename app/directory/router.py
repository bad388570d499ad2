"""Routes for organizations, analysts, actors and topics."""

from fastapi import APIRouter

from app.directory import service
from app.routing import crud_router

router = APIRouter()
for _resource in (service.organizations, service.analysts, service.actors, service.topics):
    router.include_router(crud_router(_resource))
