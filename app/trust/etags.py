"""Strong ETags from each record's version counter, and the If-Match check."""

from typing import Any

from app.errors import BadRequest, PreconditionFailed, PreconditionRequired

MAX_HEADER = 200


def etag(version: int) -> str:
    """The strong entity tag of a record at `version`."""
    return f'"{version}"'


def etag_of(item: Any) -> str:
    """The ETag of a response item (records that never change are at version 1)."""
    return etag(getattr(item, "version", None) or 1)


def check_if_match(header: str | None, version: int) -> None:
    """428 without If-Match; 412 unless it names the current ETag (or is `*`)."""
    current = etag(version)
    if header is None:
        raise PreconditionRequired(
            "Send `If-Match` with the ETag of the record as you last read it, so that a "
            "change made since is not overwritten."
        )
    if not header.strip() or len(header) > MAX_HEADER:
        raise BadRequest(f"If-Match must hold 1 to {MAX_HEADER} characters.")
    tags = [tag.strip() for tag in header.split(",")]
    if "*" in tags or current in tags:
        return
    raise PreconditionFailed(
        f"The record has changed since that ETag: it is now {current}. Read it again, "
        "reapply your change, and retry.",
        headers={"ETag": current},
    )
