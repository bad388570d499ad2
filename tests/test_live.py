"""Against a real server process on SQLite: contention, a crash, and Schemathesis over HTTP."""

import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.helpers import bearer
from tests.live import Server, prepare_database, serve

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="these tests exercise SQLite's single writer; they run in the SQLite suite",
)

STRESS_SECONDS = float(os.environ.get("STRESS_SECONDS", "20"))
CONFIG = SchemathesisConfig.from_path(Path(__file__).with_name("schemathesis.toml"))
ROLE_RANK = {"reader": 0, "analyst": 1, "editor": 2, "admin": 3}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    root = tmp_path_factory.mktemp("live")
    keys = prepare_database(root / "ledger.db")
    with serve(root / "ledger.db", root / "server.log") as server:
        yield server, keys


def test_sixteen_clients_incrementing_lose_nothing(live: tuple[Server, dict[str, str]]) -> None:
    """Read-modify-write through the API with If-Match: every acknowledged increment counts."""
    server, keys = live
    auth = bearer(keys["analyst"])
    note = httpx.post(f"{server.url}/v1/annotations", headers=auth, json={
        "target": {"type": "prediction", "id": 1}, "body": "0"}).json()
    url = f"{server.url}/v1/annotations/{note['id']}"
    acknowledged = [0] * 16
    failures: list[str] = []
    stop = time.monotonic() + STRESS_SECONDS

    def client(n: int) -> None:
        with httpx.Client(headers=auth, timeout=60) as http:
            while time.monotonic() < stop:
                current = http.get(url)
                if current.status_code != 200:
                    failures.append(f"GET {current.status_code} {current.text}")
                    continue
                value = int(current.json()["body"])
                changed = http.patch(url, json={"body": str(value + 1)},
                                     headers={"If-Match": current.headers["ETag"]})
                if changed.status_code == 200:
                    acknowledged[n] += 1
                elif changed.status_code != 412:
                    failures.append(f"PATCH {changed.status_code} {changed.text}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    final = int(httpx.get(url).json()["body"])
    assert sum(acknowledged) > 0
    assert final == sum(acknowledged)
    log = server.log.read_text()
    assert "database is locked" not in log
    assert "PATCH /v1/annotations" in log and not any(key in log for key in keys.values())


def test_more_concurrent_writers_than_worker_threads_all_get_through(
    live: tuple[Server, dict[str, str]],
) -> None:
    """80 clients writing at once, twice the worker threads: none waits on a thread held by
    a write that is itself waiting for the one write connection (that deadlocked until the
    pool timed out, with 500s)."""
    server, keys = live
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(80)

    def writer(n: int) -> None:
        with httpx.Client(headers=bearer(keys["analyst"]), timeout=60) as http:
            start.wait()
            for i in range(3):
                response = http.post(f"{server.url}/v1/annotations", json={
                    "target": {"type": "prediction", "id": 1}, "body": f"crowd {n}.{i}"})
                with lock:
                    statuses.append(response.status_code)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(80)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 240
    assert "QueuePool limit" not in server.log.read_text()


def test_a_write_waits_for_another_process_holding_the_lock_and_reads_go_on(
    tmp_path: Path,
) -> None:
    """Another process holds SQLite's write lock: a write waits for it (in a worker
    thread, up to the busy timeout) and then lands, and the server answers reads in the
    meantime instead of stalling behind the waiting write."""
    keys = prepare_database(tmp_path / "ledger.db")
    with serve(tmp_path / "ledger.db", tmp_path / "server.log") as server:
        auth = bearer(keys["analyst"])
        note = {"target": {"type": "prediction", "id": 1}, "body": "after the lock"}
        assert httpx.post(f"{server.url}/v1/annotations", headers=auth,
                          json=note).status_code == 201  # the usual path, lock free
        other = sqlite3.connect(tmp_path / "ledger.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        result: dict[str, Any] = {}

        def write() -> None:
            started = time.monotonic()
            result["response"] = httpx.post(f"{server.url}/v1/annotations", headers=auth,
                                            json=note, timeout=30)
            result["seconds"] = time.monotonic() - started

        writer = threading.Thread(target=write)
        writer.start()
        try:
            time.sleep(0.3)  # the write is waiting for the lock
            assert writer.is_alive()
            read_started = time.monotonic()
            read = httpx.get(f"{server.url}/v1/predictions/1", timeout=30)
            read_seconds = time.monotonic() - read_started
            time.sleep(0.7)
        finally:
            other.rollback()
            other.close()
        writer.join(timeout=30)
        assert read.status_code == 200
        assert read_seconds < 0.5
        assert result["response"].status_code == 201, result["response"].text
        assert result["seconds"] >= 1.0  # it waited for the other process
        notes = httpx.get(f"{server.url}/v1/annotations",
                          params={"target_type": "prediction", "target_id": 1}).json()
        assert [n["body"] for n in notes["items"]].count("after the lock") == 2
    assert "database is locked" not in (tmp_path / "server.log").read_text()


def test_a_write_the_lock_is_held_from_past_the_busy_timeout_gets_503(tmp_path: Path) -> None:
    """Past SQLITE_BUSY_TIMEOUT_MS the write gives up with a 503 and Retry-After, having
    written nothing, and the next write, once the lock is free, lands."""
    keys = prepare_database(tmp_path / "ledger.db")
    with serve(tmp_path / "ledger.db", tmp_path / "server.log",
               SQLITE_BUSY_TIMEOUT_MS="300") as server:
        auth = bearer(keys["analyst"])
        note = {"target": {"type": "prediction", "id": 1}, "body": "while locked"}
        other = sqlite3.connect(tmp_path / "ledger.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            refused = httpx.post(f"{server.url}/v1/annotations", headers=auth, json=note,
                                 timeout=30)
        finally:
            other.rollback()
            other.close()
        assert refused.status_code == 503, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["retry-after"] == "1"
        assert "nothing was written" in refused.json()["detail"]
        later = httpx.post(f"{server.url}/v1/annotations", headers=auth, json=note)
        assert later.status_code == 201
        notes = httpx.get(f"{server.url}/v1/annotations",
                          params={"target_type": "prediction", "target_id": 1}).json()
        assert [n["body"] for n in notes["items"]].count("while locked") == 1


def test_every_acknowledged_write_survives_a_kill(tmp_path: Path) -> None:
    """SIGKILL under write load: the file is intact and every 2xx is in it."""
    database = tmp_path / "ledger.db"
    keys = prepare_database(database)
    acks = tmp_path / "acknowledged.log"
    fd = os.open(acks, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    lock = threading.Lock()
    sent = threading.Event()
    with serve(database, tmp_path / "server.log") as server:

        def writer(n: int) -> None:
            with httpx.Client(headers=bearer(keys["analyst"]), timeout=10) as http:
                for i in range(100_000):
                    try:
                        response = http.post(f"{server.url}/v1/annotations", json={
                            "target": {"type": "prediction", "id": 1},
                            "body": f"writer {n}, note {i}"})
                    except httpx.HTTPError:
                        return  # the server is gone
                    if response.status_code == 201:
                        with lock:
                            os.write(fd, f"{response.json()['id']}\n".encode())
                            os.fsync(fd)
                        sent.set()

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        assert sent.wait(30)
        time.sleep(2)
        server.kill()
        for thread in threads:
            thread.join()
    os.close(fd)
    acknowledged = {int(line) for line in acks.read_text().split()}
    assert len(acknowledged) > 10
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in conn.execute("SELECT id FROM annotation")}
        audited = {row[0] for row in conn.execute(
            "SELECT record_id FROM audit_event WHERE record_type = 'annotation'")}
    assert acknowledged <= stored
    assert acknowledged <= audited
    with serve(database, tmp_path / "server.log") as again:  # and the server starts again
        count = httpx.get(f"{again.url}/v1/annotations", params={"count": "true"}).json()
        assert count["total"] == len(stored)


SETTINGS = hypothesis.settings(
    max_examples=int(os.environ.get("STATEFUL_EXAMPLES", "25")), stateful_step_count=8,
    deadline=None, derandomize=True, database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    # The server keeps what each example wrote, so a replayed example draws other ids and
    # Hypothesis could only report "inconsistent data generation": report the failure
    # as it was found, without shrinking.
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)


def test_stateful_schemathesis_over_http_with_an_editor_key(tmp_path: Path) -> None:
    """Create, then read, change and delete what was created, following the OpenAPI links
    (every operation but the admin-only ones: keys and the audit trail).

    The server has a database of its own, so every annotation in it is the editor's:
    another author's note would rightly answer 403. Each scenario starts from the same
    database: Hypothesis draws each step from what the earlier steps' responses put in
    its bundles, and a database that kept every scenario's writes would make the same
    draws lead elsewhere ("inconsistent data generation")."""
    live = tmp_path / "ledger.db"
    keys = prepare_database(live)
    pristine = tmp_path / "pristine.db"
    _copy_database(live, pristine)
    with serve(live, tmp_path / "server.log") as server:
        schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json", config=CONFIG)
        machine: Any = schema.exclude(path_regex="^/v1/(keys|audit)").as_state_machine()

        failures: list[str] = []
        steps: list[str] = []

        class EditorWorkflow(machine):  # type: ignore[misc,valid-type]
            def setup(self) -> None:
                _copy_database(pristine, live)  # the running server reads it from here on

            def step(self, input: Any) -> Any:
                steps.append(f"{input.case.method} {input.case.path}")
                try:
                    return super().step(input)
                except Exception as exc:
                    failures.append(f"{input.case.method} {input.case.formatted_path}: "
                                    f"{type(exc).__name__}: {exc}")
                    raise

            def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
                headers = bearer(keys["editor"])
                if case.headers and 0 < len(case.headers.get("Idempotency-Key", "")) <= 200:
                    # a fresh key per request: one reused with another body is a 422
                    headers["Idempotency-Key"] = uuid.uuid4().hex
                return {"headers": headers}

        try:
            EditorWorkflow.run(settings=SETTINGS)
        except hypothesis.errors.FlakyStrategyDefinition:
            # Replaying a failure against the changed database drew other data: report
            # the failure itself.
            if failures:
                pytest.fail("a step failed:\n" + failures[0])
            raise
        assert len(steps) > SETTINGS.max_examples  # scenarios of several steps ran
        assert len(set(steps)) > 20  # over many operations


def _copy_database(source: Path, target: Path) -> None:
    """Replace `target`'s content with `source`'s through SQLite's backup API, which is
    safe while other connections (a running server's) have `target` open."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _role_of(case: schemathesis.Case) -> str | None:
    role: str | None = case.operation.definition.raw.get("x-required-role")
    return role


def no_write_beyond_the_role(ctx: Any, response: Any, case: schemathesis.Case) -> bool:
    """An analyst's key never gets a 2xx from a route that needs a higher role."""
    needed = _role_of(case)
    if needed is not None and 200 <= response.status_code < 300:
        assert ROLE_RANK[needed] <= ROLE_RANK["analyst"], (
            f"{case.method} {case.path} answered {response.status_code} to an analyst's key")
    return True


def test_an_analyst_key_cannot_write_what_it_should_not(
    live: tuple[Server, dict[str, str]],
) -> None:
    """Every write operation, fuzzed with an analyst's key: nothing beyond the role gets in,
    and annotations written by someone else cannot be changed."""
    server, keys = live
    admin = httpx.Client(base_url=server.url, headers=bearer(keys["admin"]))
    theirs = admin.post("/v1/annotations", json={"target": {"type": "prediction", "id": 2},
                                                 "body": "The admin's note."}).json()
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json", config=CONFIG)
    writes = schema.include(method=["POST", "PATCH", "DELETE"])
    checked = 0
    for result in writes.get_all_operations():
        operation = result.ok()

        @hypothesis.settings(SETTINGS, max_examples=15)
        @hypothesis.given(case=operation.as_strategy())
        def fuzz(case: schemathesis.Case) -> None:
            response = case.call(headers=bearer(keys["analyst"]))
            case.validate_response(response, additional_checks=[no_write_beyond_the_role],
                                   excluded_checks=[positive_data_acceptance])

        fuzz()
        checked += 1
    assert checked >= 30
    after = admin.get(f"/v1/annotations/{theirs['id']}").json()
    assert after == theirs
    history = admin.get(f"/v1/annotations/{theirs['id']}/history").json()["items"]
    assert [e["action"] for e in history] == ["create"]
