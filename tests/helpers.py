"""Small helpers the tests share."""

from fastapi.testclient import TestClient


def match(client: TestClient, url: str) -> dict[str, str]:
    """`If-Match` with the record's current ETag (`*` when it does not exist)."""
    response = client.get(url)
    return {"If-Match": response.headers.get("ETag", "*")}


def bearer(key: str) -> dict[str, str]:
    """The Authorization header for a key."""
    return {"Authorization": f"Bearer {key}"}
