"""Schemathesis over every route, in-process, with all checks, against a seeded database."""

import uuid
from pathlib import Path

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.config import Settings
from app.db import Engines, build_engines
from app.main import create_app
from app.routing import RESOURCES
from tests.helpers import bearer

CONFIG = SchemathesisConfig.from_path(Path(__file__).with_name("schemathesis.toml"))

# The schema is read once; each test points the app at its own freshly seeded database.
app = create_app(build_engines("sqlite://"), Settings(rate_limit_per_minute=0))
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)


HEADERS: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _seeded_database(seeded: Engines, keys: dict[str, str]) -> None:
    app.state.engines = seeded
    HEADERS.update(bearer(keys["admin"]))  # every route, writes included, is exercised


@schema.parametrize()
def test_every_route_honours_its_schema(case: schemathesis.Case) -> None:
    headers = dict(HEADERS)
    if case.headers and 0 < len(case.headers.get("Idempotency-Key", "")) <= 200:
        # a fresh valid key per request: reusing one with another body is a 422 by design
        headers["Idempotency-Key"] = uuid.uuid4().hex
    excluded = []
    components = case.meta.components if case.meta else {}
    if any(info.mode is GenerationMode.NEGATIVE for info in components.values()):
        # the coverage phase can pair a valid header with a body it generated as invalid
        # and still call the whole case positive; a part marked negative is not positive data
        excluded.append(positive_data_acceptance)
    case.call_and_validate(headers=headers, excluded_checks=excluded)


# Without a key, plain reads of records take the fast path (app/fastpath.py): fuzz those
# operations anonymously so its responses are checked against the schema too.
FAST_PATHS = r"^/v1/(" + "|".join(sorted(RESOURCES)) + r")(/\{id\})?$"


@schema.include(method="GET", path_regex=FAST_PATHS).parametrize()
def test_anonymous_reads_of_records_honour_their_schema(case: schemathesis.Case) -> None:
    case.call_and_validate()
