"""The HTTP contract: problem documents, operationIds, declared statuses, health."""

import re

from fastapi.testclient import TestClient

from app.main import create_app

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "errors"}
VERBS = ("list", "revoke", "get", "create", "update", "delete", "resolve", "search")


def test_problem_document_shape_is_locked(client: TestClient) -> None:
    response = client.get("/v1/predictions/12345")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank", "title": "Not Found", "status": 404,
        "detail": "No prediction with id 12345.", "instance": "/v1/predictions/12345",
        "errors": None,
    }


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert set(response.json()) == PROBLEM_KEYS


def test_wrong_method_lists_every_allowed_one(client: TestClient) -> None:
    response = client.put("/v1/predictions/1")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, PATCH"
    assert response.headers["content-type"] == "application/problem+json"


def test_malformed_json_is_a_422_problem(client: TestClient) -> None:
    response = client.post("/v1/topics", content=b"{not json",
                           headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][0] == "body"


def test_path_id_out_of_range_is_a_422_problem(client: TestClient) -> None:
    response = client.get("/v1/topics/0")
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["path", "id"]


def test_operation_ids_are_unique_and_verb_first() -> None:
    spec = _spec()
    ids = [op["operationId"] for ops in spec["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)+", i) for i in ids)
    assert all(i.split("_")[0] in VERBS for i in ids)


def test_every_error_response_is_declared_as_problem_json() -> None:
    for path, ops in _spec()["paths"].items():
        for method, op in ops.items():
            for code, response in op["responses"].items():
                if code[0] in "45":
                    assert list(response["content"]) == ["application/problem+json"], (
                        method, path, code)


def test_routes_declare_the_statuses_they_can_return() -> None:
    paths = _spec()["paths"]
    for path, ops in paths.items():
        if not path.startswith("/v1/") or "estimative" in path:
            continue
        for method, op in ops.items():
            codes = set(op["responses"])
            assert "422" in codes, (method, path)
            if method == "get" and path.endswith("}"):
                assert "404" in codes
            if any(p["name"] == "cursor" for p in op.get("parameters", [])):
                assert "400" in codes
            if method in ("post", "patch", "delete"):
                assert "409" in codes


def test_health_endpoints(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz").json()
    assert ready["status"] == "ok" and ready["database"] in ("sqlite", "postgresql")


def test_estimative_scale_is_published(client: TestClient) -> None:
    bands = {b["term"]: b for b in client.get("/v1/estimative-scale").json()["bands"]}
    assert (bands["likely"]["low"], bands["likely"]["high"]) == (0.55, 0.80)
    assert bands["likely"]["source"] == "ICD 203"


def _spec() -> dict:  # type: ignore[type-arg]
    from app.db import build_engines

    return create_app(build_engines("sqlite://")).openapi()
