"""Schemathesis over every route, in-process, with all checks, against a seeded database."""

from pathlib import Path

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from app.db import Engines, build_engines
from app.main import create_app

CONFIG = SchemathesisConfig.from_path(Path(__file__).with_name("schemathesis.toml"))

# The schema is read once; each test points the app at its own freshly seeded database.
app = create_app(build_engines("sqlite://"))
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)


@pytest.fixture(autouse=True)
def _seeded_database(seeded: Engines) -> None:
    app.state.engines = seeded


@schema.parametrize()
def test_every_route_honours_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate()
