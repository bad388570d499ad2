# mypy: disable-error-code="valid-type"
"""Verbatim quotes: W3C TextQuoteSelector + TextPositionSelector, checked against the text."""

from typing import Any, Literal

from pydantic import Field
from sqlmodel import Session

from app.anchoring import CONTEXT, checked_span
from app.errors import Conflict
from app.models import Document
from app.schemas import Id, Input, Offset, Output, text

QUOTE_FIELDS = ("document_id", "exact", "start", "end", "prefix", "suffix")

Exact = text(20_000, min_length=1)
Context = text(200)


class QuoteIn(Input):
    """A span of a document: `body[start:end] == exact` (code-point offsets, end exclusive)."""

    document_id: Id
    exact: Exact = Field(description="The quoted text, verbatim.")
    start: Offset
    end: Offset
    prefix: Context | None = Field(
        default=None, description=f"Text just before the span; the {CONTEXT} characters if omitted."
    )
    suffix: Context | None = Field(
        default=None, description=f"Text just after the span; the {CONTEXT} characters if omitted."
    )


class QuoteOut(Output):
    """Where the claim stands in a document, ready to highlight in GET /v1/documents/{id}."""

    document_id: int
    exact: str
    start: int
    end: int
    prefix: str
    suffix: str
    status: Literal["anchored", "fuzzy", "orphaned"] = Field(
        description="After revisions of the document: where the quote was found again."
    )


def check_quote(session: Session, quote: dict[str, Any], owner: str) -> dict[str, Any]:
    """Verify a quote against its document and return the columns to store (409 on mismatch)."""
    document = session.get(Document, quote["document_id"])
    if document is None:
        raise Conflict(f"{owner}: quote.document_id: no document with id {quote['document_id']}.")
    span = checked_span(document.body, quote["exact"], quote["start"], quote["end"],
                        quote.get("prefix"), quote.get("suffix"), f"{owner}: quote")
    return {"quote_document_id": document.id, "quote_exact": span.exact,
            "quote_start": span.start, "quote_end": span.end, "quote_prefix": span.prefix,
            "quote_suffix": span.suffix, "quote_status": span.status}


def quote_columns(session: Session, data: dict[str, Any], owner: str) -> None:
    """Replace a `quote` entry in write data by checked `quote_*` columns."""
    if "quote" not in data:
        return
    quote = data.pop("quote")
    if quote is None:
        data.update({f"quote_{k}": None for k in (*QUOTE_FIELDS, "status")})
    else:
        data.update(check_quote(session, quote, owner))


def quote_from_columns(values: dict[str, Any]) -> dict[str, Any]:
    """Fold stored `quote_*` columns into a nested `quote` (None when there is none)."""
    parts = {k: values.pop(f"quote_{k}", None) for k in (*QUOTE_FIELDS, "status")}
    values["quote"] = parts if parts["document_id"] is not None else None
    return values
