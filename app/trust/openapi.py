"""What the OpenAPI document says about keys, roles, ETags, idempotency and limits."""

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app.errors import problem_responses
from app.trust.idempotency import HEADER as IDEMPOTENCY_HEADER
from app.trust.keys import Role

SCHEME = "bearerAuth"
WRITE_METHODS = {"post", "patch", "delete"}


def required_role(dependant: Dependant) -> Role | None:
    """The role a route's dependencies demand, if any."""
    for dep in dependant.dependencies:
        role = getattr(dep.call, "required_role", None)
        if role is None:
            role = required_role(dep)
        if role is not None:
            return role  # type: ignore[no-any-return]
    return None


def _problems(*statuses: int) -> dict[str, Any]:
    return {str(k): {"description": v["description"], "content": v["content"]}
            for k, v in problem_responses(*statuses).items()}


def _header(name: str, description: str, *, required: bool) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": required, "description": description,
            "schema": {"type": "string", "minLength": 1, "maxLength": 200}}


ETAG_HEADER = {"ETag": {"description": "The item's strong entity tag; send it back in "
                        "`If-Match` to change or delete the item.",
                        "schema": {"type": "string"}}}


def document_trust(app: FastAPI, schema: dict[str, Any]) -> None:
    """Declare the security scheme, each route's role, and the trust headers and errors."""
    schema.setdefault("components", {}).setdefault("securitySchemes", {})[SCHEME] = {
        "type": "http", "scheme": "bearer",
        "description": "An API key from `policy-ledger keys create` or `POST /v1/keys`.",
    }
    for route in app.routes:
        path = getattr(route, "path", "")
        if not isinstance(route, APIRoute) or not path.startswith("/v1/"):
            continue
        role = required_role(route.dependant)
        for method in route.methods or ():
            op = schema["paths"].get(path, {}).get(method.lower())
            if op is not None:
                _document(op, method.lower(), role, path)
    _link_creations(schema)


def _document(op: dict[str, Any], method: str, role: Role | None, path: str) -> None:
    responses = op.setdefault("responses", {})
    params = op.setdefault("parameters", [])
    if role is None:
        op["security"] = [{}, {SCHEME: []}]
        responses.update({k: v for k, v in _problems(401, 429).items() if k not in responses})
    else:
        op["security"] = [{SCHEME: []}]
        op["x-required-role"] = role.value
        op["description"] = (op.get("description", "") + f"\n\nNeeds a key with the "
                             f"`{role.value}` role or a higher one.").strip()
        responses.update({k: v for k, v in _problems(401, 403, 429).items()
                          if k not in responses})
        # SQLite: another process held the write lock past the busy timeout.
        responses.update({k: v for k, v in _problems(503).items() if k not in responses})
    if method in ("patch", "delete") and role is not None:
        params.append(_header("If-Match", "The ETag of the item as last read (`*` for any "
                              "version). Missing: 428; stale: 412.", required=True))
        responses.update({k: v for k, v in _problems(400, 412, 428).items()
                          if k not in responses})
    if method == "post" and role is not None and path != "/v1/keys":
        params.append(_header(IDEMPOTENCY_HEADER, "Makes the creation safe to retry: the "
                              "same key with the same body replays the first response; with "
                              "another body it is a 422.", required=False))
    if method in ("post", "patch") and role is not None:
        responses.update(_problems(413))
    for code in ("200", "201"):
        if code in responses and (path.endswith("{id}") or method == "post"):
            responses[code].setdefault("headers", {}).update(ETAG_HEADER)


def _link_creations(schema: dict[str, Any]) -> None:
    """OpenAPI links from each creation to reading, changing and deleting what it made."""
    paths = schema["paths"]
    for path, ops in paths.items():
        created = ops.get("post", {}).get("responses", {}).get("201")
        item = paths.get(f"{path}/{{id}}")
        if created is None or item is None:
            continue
        links: dict[str, Any] = {}
        for method, op in item.items():
            params: dict[str, str] = {"path.id": "$response.body#/id"}
            if method in ("patch", "delete"):
                params["header.If-Match"] = "$response.header.ETag"
            links[op["operationId"]] = {"operationId": op["operationId"], "parameters": params}
        created["links"] = links
