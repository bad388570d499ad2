"""The ASGI application for uvicorn: `uvicorn app.asgi:app`."""

import logging

from app.config import get_settings
from app.main import create_app
from app.memory import limit_malloc_arenas

logging.basicConfig(
    level=get_settings().log_level.upper(),
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
limit_malloc_arenas(get_settings().malloc_arenas)
app = create_app()
