"""The fast path for plain reads answers exactly what the usual FastAPI path answers."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from types import UnionType
from typing import Any, Union, get_args, get_origin
from unittest.mock import patch

import hypothesis
import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import strategies as st

from app import crud, fastpath
from app.config import Settings
from app.crud import Resource
from app.db import Engines
from app.deps import read_session
from app.fastpath import FastReads
from app.main import create_app
from app.routing import RESOURCES
from tests.helpers import bearer

FAST = Settings(rate_limit_per_minute=0)
USUAL = Settings(rate_limit_per_minute=0, fast_reads=False)
IGNORED_HEADERS = {"date", "server"}


@pytest.fixture
def pair(seeded: Engines, client: TestClient) -> Iterator[tuple[TestClient, TestClient]]:
    """Anonymous clients of the app with the fast path and of the app without it, over the
    seed with a resolution, a correction and a forecast added (so derived fields vary)."""
    payload = {"outcome": "true", "outcome_known_on": "2025-10-01", "rationale": "It happened."}
    first = client.post("/v1/predictions/5/resolutions", json=payload).json()
    client.post("/v1/predictions/5/resolutions", json={
        **payload, "outcome": "false", "supersedes_id": first["id"], "rationale": "Misread."})
    client.post("/v1/predictions/2/resolutions", json={**payload, "outcome": "annulled"})
    with TestClient(create_app(seeded, FAST)) as fast, \
            TestClient(create_app(seeded, USUAL)) as usual:
        yield fast, usual


def same(pair: tuple[TestClient, TestClient], url: str, **kw: Any) -> Any:
    fast, usual = pair
    a, b = fast.get(url, **kw), usual.get(url, **kw)
    assert a.status_code == b.status_code, url
    assert a.content == b.content, url
    drop = IGNORED_HEADERS
    assert ({k: v for k, v in a.headers.items() if k not in drop}
            == {k: v for k, v in b.headers.items() if k not in drop}), url
    return a


def record_urls(client: TestClient) -> list[str]:
    urls = []
    for plural in RESOURCES:
        items = client.get(f"/v1/{plural}", params={"limit": 200}).json()["items"]
        assert items, plural
        urls += [f"/v1/{plural}/{item['id']}" for item in items]
    return urls


def test_every_seeded_record_reads_the_same(pair: tuple[TestClient, TestClient]) -> None:
    urls = record_urls(pair[1])
    assert len(urls) > 50
    for url in urls:
        assert same(pair, url).status_code == 200


@pytest.mark.parametrize("url", [
    "/v1/predictions/999999", "/v1/predictions/0", "/v1/predictions/007",
    "/v1/predictions/99999999999999999999", "/v1/nothing/1", "/v1/predictions/1?x=1",
    "/v1/predictions/1?include=analyst", "/v1/predictions/1/",
])
def test_missing_and_odd_item_requests_answer_the_same(
    pair: tuple[TestClient, TestClient], url: str
) -> None:
    same(pair, url)


LISTS = [
    "/v1/predictions", "/v1/predictions?limit=2", "/v1/predictions?analyst=yoo-hyun-jung",
    "/v1/predictions?analyst=1&status=resolved&sort=-id&limit=50",
    "/v1/predictions?status=open", "/v1/predictions?status=void", "/v1/predictions?status=due",
    "/v1/predictions?actor=china&resolve_by_after=2020-01-01&resolve_by_before=2030-12-31",
    "/v1/predictions?sort=-resolve_by&limit=3", "/v1/predictions?count=true&limit=1",
    "/v1/predictions?conditional=true", "/v1/predictions?sort=-created_at",
    "/v1/recommendations?status=open&limit=1", "/v1/analysts?limit=2&sort=-id",
    "/v1/actors?limit=3", "/v1/documents", "/v1/reports", "/v1/events?sort=-starts_on",
    "/v1/organizations", "/v1/topics?limit=4",
    # (the fast path answers everything above)
    # refused or unusual: the usual path answers, the same way
    "/v1/predictions?limit=0", "/v1/predictions?limit=abc", "/v1/predictions?bogus=1",
    "/v1/predictions?status=nope", "/v1/predictions?limit=2&limit=3",
    "/v1/predictions?cursor=garbage", "/v1/predictions?analyst=nobody",
    "/v1/predictions?q=china", "/v1/predictions?include=analyst",
    "/v1/predictions?sort=statement", "/v1/predictions?count=maybe",
    "/v1/predictions?resolve_by_after=2025-13-01", "/v1/predictions?limit=",
]


PLAIN = LISTS.index("/v1/predictions?limit=0")


@pytest.mark.parametrize("url", LISTS)
def test_list_pages_answer_the_same(pair: tuple[TestClient, TestClient], url: str) -> None:
    same(pair, url)


def test_following_cursors_answers_the_same(pair: tuple[TestClient, TestClient]) -> None:
    url, pages = "/v1/predictions?limit=2&sort=-resolve_by", 0
    while url:
        body = same(pair, url).json()
        pages += 1
        url = (f"/v1/predictions?limit=2&sort=-resolve_by&cursor={body['next_cursor']}"
               if body["next_cursor"] else "")
    assert pages >= 5


def test_a_key_goes_the_usual_way_and_still_reads(
    pair: tuple[TestClient, TestClient], keys: dict[str, str]
) -> None:
    same(pair, "/v1/predictions/1", headers=bearer(keys["reader"]))
    assert same(pair, "/v1/predictions/1", headers=bearer("pl_bogus")).status_code == 401


def _refuse_usual_reads(app: FastAPI) -> None:
    def broken() -> None:
        raise AssertionError("the usual read path ran")

    app.dependency_overrides[read_session] = broken


def test_plain_reads_do_not_go_through_fastapi(seeded: Engines) -> None:
    """Every plain read of every resource, items and pages, is answered by the fast path
    itself (the usual path, made to fail here, would answer 500)."""
    app = create_app(seeded, FAST)
    _refuse_usual_reads(app)
    with TestClient(app, raise_server_exceptions=False) as fast:
        assert fast.get("/v1/predictions/1").status_code == 200
        for url in LISTS[:PLAIN]:
            assert fast.get(url).status_code == 200, url
        for plural in RESOURCES:
            page = fast.get(f"/v1/{plural}", params={"limit": 200})
            assert page.status_code == 200 and page.json()["items"], plural
            assert fast.get(f"/v1/{plural}/{page.json()['items'][0]['id']}").status_code == 200
        assert fast.get("/v1/predictions?q=china").status_code == 500  # the usual path


@pytest.fixture(autouse=True)
def _no_fast_path_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """No test here passes by the fast path failing and the usual path answering."""
    with caplog.at_level("ERROR", logger="app.fastpath"):
        yield
    assert not [r for r in caplog.records if r.name == "app.fastpath"]


def test_without_public_reads_the_fast_path_steps_aside(seeded: Engines) -> None:
    settings = Settings(rate_limit_per_minute=0, public_read=False)
    with TestClient(create_app(seeded, settings)) as closed:
        assert closed.get("/v1/predictions/1").status_code == 401
        assert closed.get("/v1/predictions").status_code == 401


def test_the_rate_limit_holds_on_the_fast_path(seeded: Engines) -> None:
    with TestClient(create_app(seeded, Settings(rate_limit_per_minute=3))) as limited:
        statuses = [limited.get("/v1/predictions/1").status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]


def test_a_shape_prepared_once_answers_every_value_alike(
    pair: tuple[TestClient, TestClient], caplog: pytest.LogCaptureFixture
) -> None:
    """One statement shape, many values: each page is the usual path's, from the plan."""
    fast, usual = pair
    analysts = [a["id"] for a in usual.get("/v1/analysts", params={"limit": 200}).json()["items"]]
    actors = usual.get("/v1/actors", params={"limit": 200}).json()["items"]
    total = len(usual.get("/v1/predictions", params={"limit": 200}).json()["items"])
    urls = [f"/v1/predictions?analyst={a}&sort=-id&limit=50" for a in analysts]
    urls += [f"/v1/predictions?analyst={a}&status=resolved&sort=-id&limit=50" for a in analysts]
    urls += [f"/v1/predictions?analyst={a}&status=open&limit=1" for a in analysts]
    urls += [f"/v1/predictions?actor={a[key]}&resolve_by_after=2020-01-01"
             f"&resolve_by_before=2030-12-31&limit=2" for a in actors for key in ("id", "slug")]
    seen = 0
    with caplog.at_level("ERROR", logger="app.fastpath"):
        for url in urls:
            seen += len(same(pair, url).json()["items"])
    assert seen > total  # the filters found rows, not only empty pages
    assert not caplog.records  # no page fell back after an error
    reader = fast.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(reader, FastReads):
        reader = reader.app
    plans = reader.lists["predictions"].plans
    # Shapes: analyst by id alone and with each of two statuses, actor by id and by slug
    # (values are bound, so each shape is prepared once).
    assert 4 <= len(plans) <= 6 and all(p is not None for p in plans.values())


def test_pages_answer_the_same_when_no_shape_is_kept(
    pair: tuple[TestClient, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastpath, "MAX_SHAPES", 0)
    for url in LISTS[:20]:
        same(pair, url)


# ---- RowWriter: the read model's JSON without the read model ---------------------------

_STRATEGIES: dict[Any, Any] = {
    str: st.text(max_size=40),
    int: st.integers(min_value=-(2**53), max_value=2**53),
    float: st.floats(allow_nan=True, allow_infinity=True),
    bool: st.booleans(),
    date: st.dates(),
    datetime: st.datetimes(timezones=st.just(UTC)),
}


def _plain_type(annotation: Any) -> Any:
    """`str` for `str` or `str | None` (None when the field is anything else)."""
    if annotation in _STRATEGIES:
        return annotation
    if get_origin(annotation) not in (Union, UnionType):
        return None
    args = [a for a in get_args(annotation) if a is not type(None)]
    return args[0] if len(args) == 1 and args[0] in _STRATEGIES else None


def _stored_rows(client: TestClient, resource: Resource) -> list[dict[str, Any]]:
    """The stored columns and link ids of every record of a resource, as the fast path
    reads them."""
    engine = client.app.state.engines.read  # type: ignore[attr-defined]
    reader = fastpath._ListReader(engine, resource)
    q = resource.query.model_validate({"limit": 200})
    _base, stmt, _keyset = crud.page_query(resource, q, "id")
    stmt = crud.row_columns(stmt, resource)
    key = stmt._generate_cache_key()
    plan = fastpath._prepare(stmt, key, engine)
    assert plan is not None
    rows = reader._fetch(plan, plan.parameters(key.bindparams))
    out = []
    for row in rows:
        values = list(row)
        for i, process in reader.processors or []:
            values[i] = process(values[i])
            if isinstance(values[i], orjson.Fragment):  # link ids, as JSON text
                values[i] = orjson.loads(orjson.dumps(values[i]))
        out.append(dict(zip(reader.names, values, strict=True)))
    return out


@pytest.mark.parametrize("plural", sorted(RESOURCES))
def test_the_row_writer_writes_the_read_models_bytes(
    pair: tuple[TestClient, TestClient], plural: str
) -> None:
    """Stored rows with their plain fields replaced by arbitrary values (any text,
    floats with NaN and infinities, timestamps with and without microseconds) give the
    bytes the read model serializes."""
    resource = RESOURCES[plural]
    rows = _stored_rows(pair[1], resource)
    assert rows, plural
    source = list(rows[0])
    writer = fastpath.RowWriter(resource.read, source)
    fields = resource.read.model_fields
    plain = {name: _STRATEGIES[t] for name in rows[0] if name in fields
             and (t := _plain_type(fields[name].annotation)) is not None}
    assert plain, plural
    on = date(2026, 1, 1)

    @hypothesis.settings(max_examples=60, deadline=None, database=None)
    @hypothesis.given(st.sampled_from(rows), st.fixed_dictionaries({}, optional=plain))
    def check(row: dict[str, Any], changes: dict[str, Any]) -> None:
        values = {**row, **changes}
        with patch("app.claims.schemas.today", return_value=on):
            model = resource.read.model_validate(dict(values))
        expected = model.__pydantic_serializer__.to_json(model)
        written = writer.values([values[name] for name in source], on)
        assert orjson.dumps(written, option=orjson.OPT_UTC_Z) == expected

    check()
