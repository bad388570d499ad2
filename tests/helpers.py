"""Small helpers the tests share."""

from collections import defaultdict

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

import app.main  # noqa: F401  (every resource registered)
from app.routing import RESOURCES


def match(client: TestClient, url: str) -> dict[str, str]:
    """`If-Match` with the record's current ETag (`*` when it does not exist)."""
    response = client.get(url)
    return {"If-Match": response.headers.get("ETag", "*")}


def bearer(key: str) -> dict[str, str]:
    """The Authorization header for a key."""
    return {"Authorization": f"Bearer {key}"}


def link_mismatches(engine: Engine) -> list[tuple[str, int, str, list[int], list[int]]]:
    """Every record whose link ids on its row differ from its link table's rows, as
    (records, id, link, on the row, in the link table); empty when all agree."""
    found = []
    with engine.connect() as conn:
        for resource in RESOURCES.values():
            table = resource.model.__table__  # type: ignore[attr-defined]
            for name, link in resource.links.items():
                own, other = link.table.c[link.own], link.table.c[link.other]
                order = link.table.c[link.order_by] if link.order_by else other
                linked: dict[int, list[int]] = defaultdict(list)
                for key, value in conn.execute(select(own, other).order_by(own, order, other)):
                    linked[key].append(value)
                for key, ids in conn.execute(select(table.c.id, table.c[name])):
                    if list(ids) != linked.get(key, []):
                        found.append((resource.plural, key, name, list(ids), linked.get(key, [])))
    return found
