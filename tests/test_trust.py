"""Keys and roles, ETags, idempotent creation, the audit trail and input limits."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.config import Settings
from app.db import Engines
from app.main import create_app
from app.models import ApiKey, AuditEvent, IdempotencyRecord
from app.trust import idempotency
from tests.helpers import bearer, match
from tests.test_seed import row_counts

ARTICLE = 1
Request = tuple[str, str, dict[str, Any] | None]
EVIDENCE = [{"title": "Statement", "url": "https://example.org/s", "published_on": "2026-02-01"}]


def _new(client: TestClient, path: str, body: dict[str, Any]) -> int:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _conditional(client: TestClient) -> int:
    return _new(client, "/v1/predictions", {"report_id": 1, "analyst_id": 1,
                                            "statement": "Then it happens.",
                                            "condition": "If the talks fail."})


def _note(client: TestClient) -> int:
    return _new(client, "/v1/annotations", {"target": {"type": "prediction", "id": 1},
                                            "body": "A note."})


# One valid request per write operation. `admin` prepares what the request needs and the
# function returns it; the matrix test checks that this table covers every write route.
WRITES: dict[str, Callable[[TestClient], Request]] = {
    "create_organization": lambda a: ("POST", "/v1/organizations",
                                      {"name": "New Institute", "kind": "institute"}),
    "create_analyst": lambda a: ("POST", "/v1/analysts", {"name": "New Analyst"}),
    "create_actor": lambda a: ("POST", "/v1/actors", {"name": "New Actor", "kind": "state"}),
    "create_topic": lambda a: ("POST", "/v1/topics", {"name": "New Topic"}),
    "create_document": lambda a: ("POST", "/v1/documents", {"title": "Doc", "body": "Text."}),
    "create_report": lambda a: ("POST", "/v1/reports", {"title": "New Report"}),
    "create_event": lambda a: ("POST", "/v1/events", {"name": "New Event"}),
    "create_prediction": lambda a: ("POST", "/v1/predictions", {
        "report_id": 1, "analyst_id": 1, "statement": "Something will happen."}),
    "create_recommendation": lambda a: ("POST", "/v1/recommendations", {
        "analyst_id": 1, "statement": "Seoul should act."}),
    "update_organization": lambda a: ("PATCH", "/v1/organizations/1", {"name": "Renamed"}),
    "update_analyst": lambda a: ("PATCH", "/v1/analysts/1", {"name": "Renamed"}),
    "update_actor": lambda a: ("PATCH", "/v1/actors/1", {"name": "Renamed"}),
    "update_topic": lambda a: ("PATCH", "/v1/topics/1", {"name": "Renamed"}),
    "update_document": lambda a: ("PATCH", "/v1/documents/1", {"title": "Renamed"}),
    "update_report": lambda a: ("PATCH", "/v1/reports/1", {"title": "Renamed"}),
    "update_event": lambda a: ("PATCH", "/v1/events/1", {"name": "Renamed"}),
    "update_prediction": lambda a: ("PATCH", "/v1/predictions/1", {"probability": 0.3}),
    "update_recommendation": lambda a: ("PATCH", "/v1/recommendations/1",
                                        {"statement": "Reworded."}),
    "delete_organization": lambda a: ("DELETE", "/v1/organizations/" + str(_new(
        a, "/v1/organizations", {"name": "Short-lived", "kind": "other"})), None),
    "delete_analyst": lambda a: ("DELETE", "/v1/analysts/" + str(_new(
        a, "/v1/analysts", {"name": "Short-lived"})), None),
    "delete_actor": lambda a: ("DELETE", "/v1/actors/" + str(_new(
        a, "/v1/actors", {"name": "Short-lived", "kind": "group"})), None),
    "delete_topic": lambda a: ("DELETE", "/v1/topics/" + str(_new(
        a, "/v1/topics", {"name": "Short-lived"})), None),
    "delete_document": lambda a: ("DELETE", "/v1/documents/" + str(_new(
        a, "/v1/documents", {"title": "Short-lived", "body": "x"})), None),
    "delete_report": lambda a: ("DELETE", "/v1/reports/" + str(_new(
        a, "/v1/reports", {"title": "Short-lived"})), None),
    "delete_event": lambda a: ("DELETE", "/v1/events/" + str(_new(
        a, "/v1/events", {"name": "Short-lived"})), None),
    "delete_prediction": lambda a: ("DELETE", "/v1/predictions/" + str(_new(
        a, "/v1/predictions", {"report_id": 1, "analyst_id": 1, "statement": "Gone."})), None),
    "delete_recommendation": lambda a: ("DELETE", "/v1/recommendations/" + str(_new(
        a, "/v1/recommendations", {"analyst_id": 1, "statement": "Gone."})), None),
    "resolve_prediction": lambda a: ("POST", "/v1/predictions/" + str(_new(
        a, "/v1/predictions", {"report_id": 1, "analyst_id": 1, "statement": "Resolve me."}))
        + "/resolutions", {"outcome": "true", "outcome_known_on": "2026-02-01",
                           "evidence": EVIDENCE}),
    "create_forecast": lambda a: ("POST", "/v1/predictions/1/forecasts",
                                  {"forecaster_id": 2, "probability": 0.4}),
    "create_condition_check": lambda a: ("POST", f"/v1/predictions/{_conditional(a)}"
                                         "/condition-checks",
                                         {"status": "met", "checked_on": "2026-03-01"}),
    "create_status_change": lambda a: ("POST", "/v1/recommendations/" + str(_new(
        a, "/v1/recommendations", {"analyst_id": 1, "statement": "Do it."})) + "/status-changes",
                                       {"status": "implemented",
                                        "changed_on": "2026-03-01"}),
    "create_annotation": lambda a: ("POST", "/v1/annotations", {
        "target": {"type": "prediction", "id": 1}, "body": "Vague."}),
    "update_annotation": lambda a: ("PATCH", f"/v1/annotations/{_note(a)}", {"body": "New."}),
    "delete_annotation": lambda a: ("DELETE", f"/v1/annotations/{_note(a)}", None),
    "create_key": lambda a: ("POST", "/v1/keys", {"name": "someone", "role": "reader"}),
    "revoke_key": lambda a: ("DELETE", "/v1/keys/" + str(_new(
        a, "/v1/keys", {"name": "short-lived", "role": "reader"})), None),
}
SUCCESS = {"POST": 201, "PATCH": 200, "DELETE": 204}
ROLES = ("reader", "analyst", "editor", "admin")
RANK = {role: n for n, role in enumerate(ROLES)}


def _write_operations(client: TestClient) -> dict[str, str]:
    """operationId -> required role, for every write the OpenAPI document declares."""
    return {
        op["operationId"]: op["x-required-role"]
        for ops in client.get("/openapi.json").json()["paths"].values()
        for method, op in ops.items() if method in ("post", "patch", "delete")
    }


def test_the_matrix_covers_every_write_route(client: TestClient) -> None:
    assert set(_write_operations(client)) == set(WRITES)


def _state(engines: Engines, client: TestClient, url: str) -> tuple[Any, ...]:
    with engines.read.connect() as conn:
        last_audit = conn.execute(select(func.max(AuditEvent.id))).scalar()
    target = client.get(url).json() if not url.endswith("s") else None
    return row_counts(engines), last_audit, target


def _send(
    client: TestClient, reader: TestClient, request: Request, headers: dict[str, str]
) -> Any:
    method, url, body = request
    if method in ("PATCH", "DELETE"):  # with the current ETag, so only the key decides
        headers = {**match(reader, url), **headers}
    return client.request(method, url, json=body, headers=headers)


@pytest.mark.parametrize("operation", sorted(WRITES))
def test_role_matrix(
    seeded: Engines, client: TestClient, keys: dict[str, str], operation: str
) -> None:
    """Each write, tried by each kind of caller, gets exactly the documented status."""
    needed = _write_operations(client)[operation]
    admin = bearer(keys["admin"])
    callers: dict[str, dict[str, str]] = {
        "no key": {}, "revoked": bearer(keys["revoked"]),
        "malformed": {"Authorization": "Bearer not-a-key"},
        **{role: bearer(keys[role]) for role in ROLES},
    }
    with TestClient(client.app, headers=admin) as as_admin, TestClient(client.app) as raw:
        for caller, headers in callers.items():
            request = WRITES[operation](as_admin)
            allowed = caller in RANK and RANK[caller] >= RANK[needed]
            if operation in ("update_annotation", "delete_annotation") and caller != "admin":
                allowed = False  # the note is the admin's: only its author or an admin
            expected = (SUCCESS[request[0]] if allowed else
                        401 if caller not in RANK else 403)
            before = _state(seeded, as_admin, request[1])
            response = _send(raw, as_admin, request, headers)
            assert response.status_code == expected, (caller, response.text)
            if not allowed:
                assert response.headers["content-type"] == "application/problem+json"
                assert _state(seeded, as_admin, request[1]) == before, caller
            else:
                with seeded.read.connect() as conn:
                    last = conn.execute(select(AuditEvent).order_by(AuditEvent.id.desc())
                                        .limit(1)).one()
                assert last.key_id is not None and last.actor == caller


def test_annotations_are_changed_only_by_their_author_or_an_admin(
    seeded: Engines, client: TestClient, keys: dict[str, str]
) -> None:
    mine = bearer(keys["analyst"])
    note = client.post("/v1/annotations", headers=mine, json={
        "target": {"type": "prediction", "id": 1}, "body": "Mine."}).json()
    url = f"/v1/annotations/{note['id']}"
    for other in ("editor", "reader"):
        response = client.patch(url, json={"body": "Not yours."},
                                headers={**match(client, url), **bearer(keys[other])})
        assert response.status_code == 403
    assert client.get(url).json()["body"] == "Mine."
    assert client.patch(url, json={"body": "Still mine."},
                        headers={**match(client, url), **mine}).status_code == 200
    assert client.delete(url, headers={**match(client, url),
                                       **bearer(keys["admin"])}).status_code == 204


# ---- ETags ------------------------------------------------------------------------------

def test_items_carry_a_strong_etag_that_moves_with_each_change(
    seeded: Engines, client: TestClient
) -> None:
    first = client.get("/v1/predictions/1")
    etag = first.headers["ETag"]
    assert etag == f'"{first.json()["version"]}"' and not etag.startswith("W/")
    changed = client.patch("/v1/predictions/1", json={"probability": 0.3},
                           headers={"If-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag == first.headers["ETag"]
    assert client.get("/v1/predictions/1").headers["ETag"] == changed.headers["ETag"]
    created = client.post("/v1/topics", json={"name": "Fresh"})
    assert created.headers["ETag"] == '"1"'


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_missing_if_match_is_428_and_stale_is_412_and_nothing_changes(
    seeded: Engines, client: TestClient, method: str
) -> None:
    url = "/v1/predictions/1"
    body = {"probability": 0.3} if method == "PATCH" else None
    old = client.get(url).headers["ETag"]
    client.patch(url, json={"probability": 0.2}, headers={"If-Match": old})
    before = (row_counts(seeded), client.get(url).json())
    missing = client.request(method, url, json=body)
    assert missing.status_code == 428
    assert missing.headers["content-type"] == "application/problem+json"
    stale = client.request(method, url, json=body, headers={"If-Match": old})
    assert stale.status_code == 412
    assert stale.headers["ETag"] == client.get(url).headers["ETag"]
    assert (row_counts(seeded), client.get(url).json()) == before


def test_eight_concurrent_patches_with_one_etag_one_wins(
    seeded: Engines, client: TestClient
) -> None:
    url = "/v1/predictions/1"
    etag = client.get(url).headers["ETag"]
    start = threading.Barrier(8)

    def patch(n: int) -> int:
        start.wait()
        return client.patch(url, json={"statement": f"Writer {n} was here."},
                            headers={"If-Match": etag}).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(patch, range(8)))
    assert statuses == [200] + [412] * 7
    assert client.get(url).json()["version"] == int(etag.strip('"')) + 1


# ---- idempotency ------------------------------------------------------------------------

def test_idempotent_creation_replays_the_first_response(
    seeded: Engines, client: TestClient, keys: dict[str, str]
) -> None:
    body = {"name": "Once Only"}
    headers = {"Idempotency-Key": "create-topic-1"}
    first = client.post("/v1/topics", json=body, headers=headers)
    counts = row_counts(seeded)
    again = client.post("/v1/topics", content=b'{ "name" : "Once Only" }',
                        headers={**headers, "Content-Type": "application/json"})
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert row_counts(seeded) == counts
    other = client.post("/v1/topics", json={"name": "Something Else"}, headers=headers)
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert row_counts(seeded) == counts
    # keys are per client: another key may use the same idempotency key
    as_admin = client.post("/v1/topics", json=body,
                           headers={**headers, **bearer(keys["admin"])})
    assert as_admin.status_code == 201 and as_admin.json()["id"] != first.json()["id"]


def test_idempotency_keys_expire(seeded: Engines, engines: Engines, keys: dict[str, str]) -> None:
    app = create_app(engines, Settings(rate_limit_per_minute=0, idempotency_ttl_hours=1))
    with TestClient(app, headers={**bearer(keys["editor"]), "Idempotency-Key": "k"}) as c:
        first = c.post("/v1/topics", json={"name": "Expiring"}).json()
        with engines.write.begin() as conn:
            conn.execute(text("UPDATE idempotency_record SET created_at = :t"),
                         {"t": "2000-01-01 00:00:00.000000"})
        second = c.post("/v1/topics", json={"name": "Expiring"})
        assert second.status_code == 201 and second.json()["id"] != first["id"]


def test_the_purge_passes_over_records_another_write_holds(
    engines: Engines, keys: dict[str, str]
) -> None:
    """On PostgreSQL a write reusing an expired key deletes its record itself; the purge
    in a concurrent write skips that record instead of waiting for it (which could close
    a deadlock with the score rollups' lock). Unheld expired records go."""
    if engines.write.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    old = datetime(2000, 1, 1, tzinfo=UTC)
    with Session(engines.write) as session:
        key_id = session.scalars(select(ApiKey.id)).first()
        for name in ("held", "free"):
            session.add(IdempotencyRecord(key_id=key_id, idempotency_key=name, fingerprint="f",
                                          status_code=201, body="{}", created_at=old))
        session.commit()
    store = idempotency.Store(ttl_hours=1)
    with Session(engines.write) as holder, Session(engines.write) as purger:
        holder.execute(select(IdempotencyRecord).where(
            IdempotencyRecord.idempotency_key == "held").with_for_update())
        purger.execute(text("SET LOCAL lock_timeout = '2s'"))
        store.purge(purger)  # with the wait, this fails after 2 s
        purger.commit()
        holder.rollback()
    with Session(engines.read) as session:
        left = session.scalars(select(IdempotencyRecord.idempotency_key)).all()
    assert left == ["held"]


def test_key_creation_refuses_an_idempotency_key(
    client: TestClient, keys: dict[str, str]
) -> None:
    response = client.post("/v1/keys", json={"name": "x", "role": "reader"},
                           headers={**bearer(keys["admin"]), "Idempotency-Key": "k"})
    assert response.status_code == 400


# ---- audit ------------------------------------------------------------------------------

def test_every_write_is_audited_with_before_and_after(
    seeded: Engines, client: TestClient, keys: dict[str, str]
) -> None:
    url = "/v1/predictions/1"
    before = client.get(url).json()
    after = client.patch(url, json={"probability": 0.3}, headers=match(client, url)).json()
    history = client.get(f"{url}/history").json()["items"]
    assert [(e["action"], e["actor"]) for e in history] == [("create", "seed"),
                                                            ("update", "editor")]
    assert history[-1]["before"] == before and history[-1]["after"] == after
    client.delete(url, headers=match(client, url))
    trail = client.get("/v1/audit", params={"record_type": "prediction", "record_id": 1},
                       headers=bearer(keys["admin"])).json()["items"]
    assert [e["action"] for e in trail] == ["create", "update", "delete"]
    assert trail[-1]["after"] is None and trail[-1]["before"]["probability"] == 0.3
    by_editor = client.get("/v1/audit", params={"actor": "editor"},
                           headers=bearer(keys["admin"])).json()["items"]
    assert {e["action"] for e in by_editor} == {"update", "delete"}
    assert client.get("/v1/audit").status_code == 403  # the editor is not an admin
    assert client.get("/v1/audit", params={"since": "2999-01-01T00:00:00Z"},
                      headers=bearer(keys["admin"])).json()["items"] == []


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET actor = 'someone else'",
                                       "DELETE FROM audit_event"])
def test_the_audit_trail_is_append_only_in_the_database(
    seeded: Engines, statement: str
) -> None:
    with pytest.raises(DBAPIError, match="append-only"), seeded.write.begin() as conn:
        conn.execute(text(statement))


# ---- keys -------------------------------------------------------------------------------

def test_keys_are_managed_over_http_and_stored_only_as_hashes(
    seeded: Engines, client: TestClient, keys: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    admin = bearer(keys["admin"])
    created = client.post("/v1/keys", json={"name": "dashboard", "role": "reader"},
                          headers=admin)
    assert created.status_code == 201
    key = created.json()["key"]
    assert client.get("/v1/predictions", headers=bearer(key)).status_code == 200
    listed = client.get("/v1/keys", headers=admin).json()
    assert all("key" not in k and "secret_hash" not in k for k in listed)
    mine = next(k for k in listed if k["name"] == "dashboard")
    assert mine["last_used_at"] is not None and mine["revoked_at"] is None
    url = f"/v1/keys/{mine['id']}"
    assert client.delete(url, headers={"If-Match": "*"}).status_code == 403  # an editor
    revoked = client.delete(url, headers={**admin, "If-Match": client.get(
        url, headers=admin).headers["ETag"]})
    assert revoked.status_code == 204
    refused = client.get("/v1/predictions", headers=bearer(key))
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith(
        "Bearer")
    every_key = [key, *keys.values()]
    with seeded.read.connect() as conn:
        dump = "\n".join(str(row) for table in ("api_key", "audit_event", "idempotency_record")
                         for row in conn.execute(text(f"SELECT * FROM {table}")))
    assert not any(k in dump for k in every_key)
    assert not any(k in caplog.text for k in every_key)


def test_a_key_sent_another_way_is_refused(client: TestClient, keys: dict[str, str]) -> None:
    for header in (f"Basic {keys['admin']}", "Bearer", keys["admin"]):
        response = client.get("/v1/topics", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_reads_can_require_a_key(engines: Engines, keys: dict[str, str]) -> None:
    app = create_app(engines, Settings(public_read=False, rate_limit_per_minute=0))
    with TestClient(app) as c:
        assert c.get("/v1/topics").status_code == 401
        assert c.get("/v1/topics", headers=bearer(keys["reader"])).status_code == 200
        assert c.get("/healthz").status_code == 200


# ---- limits -----------------------------------------------------------------------------

def test_a_body_over_the_limit_is_413(engines: Engines, keys: dict[str, str]) -> None:
    app = create_app(engines, Settings(max_body_bytes=2048, rate_limit_per_minute=0))
    with TestClient(app, headers=bearer(keys["editor"])) as c:
        big = c.post("/v1/documents", json={"title": "Big", "body": "x" * 4000})
        assert big.status_code == 413
        assert big.headers["content-type"] == "application/problem+json"

        def chunks() -> Any:  # no Content-Length: the size is counted as it streams
            yield b'{"title": "Big", "body": "'
            for _ in range(10):
                yield b"x" * 500
            yield b'"}'

        streamed = c.post("/v1/documents", content=chunks(),
                          headers={"Content-Type": "application/json"})
        assert streamed.status_code == 413
        assert c.post("/v1/documents", json={"title": "Small", "body": "x"}).status_code == 201


def test_the_rate_limit_answers_429_with_retry_after(
    engines: Engines, keys: dict[str, str]
) -> None:
    app = create_app(engines, Settings(rate_limit_per_minute=5))
    with TestClient(app, headers=bearer(keys["reader"])) as c:
        statuses = [c.get("/v1/topics").status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429]
        limited = c.get("/v1/topics")
        assert int(limited.headers["Retry-After"]) >= 1
        assert limited.headers["content-type"] == "application/problem+json"
        # another key has its own allowance
        assert c.get("/v1/topics", headers=bearer(keys["editor"])).status_code == 200


def test_cors_is_off_by_default_and_allows_only_the_configured_origins(
    engines: Engines,
) -> None:
    preflight = {"Origin": "https://dash.example.org", "Access-Control-Request-Method": "GET"}
    with TestClient(create_app(engines)) as c:
        assert "access-control-allow-origin" not in c.get(
            "/v1/topics", headers={"Origin": "https://dash.example.org"}).headers
    app = create_app(engines, Settings(cors_origins="https://dash.example.org"))
    with TestClient(app) as c:
        allowed = c.options("/v1/topics", headers=preflight)
        assert allowed.headers["access-control-allow-origin"] == "https://dash.example.org"
        assert "access-control-allow-credentials" not in allowed.headers
        other = c.get("/v1/topics", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_the_openapi_document_declares_the_security_scheme(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    patch = spec["paths"]["/v1/predictions/{id}"]["patch"]
    assert patch["security"] == [{"bearerAuth": []}]
    assert {"401", "403", "412", "428", "413", "429"} <= set(patch["responses"])
    assert any(p["name"] == "If-Match" and p["required"] for p in patch["parameters"])
    post = spec["paths"]["/v1/predictions"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert "update_prediction" in post["responses"]["201"]["links"]
