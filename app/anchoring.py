"""Re-anchoring text spans when a document's text is revised.

Exact text at the old offsets: kept (`anchored`). The exact text elsewhere: moved to the
occurrence whose surrounding text best matches the old prefix and suffix, then the
nearest (`anchored`). Text found only approximately: the closest span (`fuzzy`).
Nothing found: the old selector is kept and marked `orphaned`. Nothing is dropped.
"""

from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from app.errors import Conflict

CONTEXT = 32
FUZZY_MIN_RATIO = 0.6


@dataclass(frozen=True)
class Span:
    """A span of text with its context (W3C TextQuote + TextPosition selectors)."""

    exact: str
    start: int
    end: int
    prefix: str
    suffix: str
    status: str = "anchored"


def span_at(body: str, start: int, end: int, status: str = "anchored") -> Span:
    """The span [start, end) of a text, with its 32 characters of context either side."""
    return Span(body[start:end], start, end, body[max(0, start - CONTEXT):start],
                body[end:end + CONTEXT], status)


def checked_span(
    body: str, exact: str, start: int, end: int, prefix: str | None, suffix: str | None,
    where: str,
) -> Span:
    """The span a client gives, verified against the text (409 naming `where` if it is wrong).

    A prefix or suffix the client leaves out is filled in from the text.
    """
    if body[start:end] != exact:
        raise Conflict(f"{where}.exact is not the text at {start}..{end} of the document.")
    if prefix is not None and not body[:start].endswith(prefix):
        raise Conflict(f"{where}.prefix does not match the text before the span.")
    if suffix is not None and not body[end:].startswith(suffix):
        raise Conflict(f"{where}.suffix does not match the text after the span.")
    span = span_at(body, start, end)
    return replace(span, prefix=prefix or span.prefix, suffix=suffix or span.suffix)


def _context_score(body: str, start: int, end: int, old: Span) -> int:
    before = body[max(0, start - len(old.prefix)):start]
    after = body[end:end + len(old.suffix)]
    return _common_suffix(before, old.prefix) + _common_prefix(after, old.suffix)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])


def _occurrences(body: str, exact: str) -> list[int]:
    found, at = [], body.find(exact)
    while at != -1:
        found.append(at)
        at = body.find(exact, at + 1)
    return found


def reanchor(new_body: str, old: Span) -> Span:
    """Where the old span stands in the new text, and how surely."""
    if new_body[old.start:old.end] == old.exact:
        return span_at(new_body, old.start, old.end)
    starts = _occurrences(new_body, old.exact)
    if starts:
        best = max(starts, key=lambda s: (_context_score(new_body, s, s + len(old.exact), old),
                                          -abs(s - old.start)))
        return span_at(new_body, best, best + len(old.exact))
    fuzzy = _approximate(new_body, old.exact)
    if fuzzy is not None:
        return span_at(new_body, *fuzzy, status="fuzzy")
    return Span(old.exact, old.start, old.end, old.prefix, old.suffix, "orphaned")


def _approximate(body: str, exact: str) -> tuple[int, int] | None:
    """The span of `body` most like `exact`, if at least 60 % of it matches."""
    matcher = SequenceMatcher(None, body, exact, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size >= 3]
    matched = sum(b.size for b in blocks)
    if not blocks or matched < FUZZY_MIN_RATIO * len(exact):
        return None
    first, last = blocks[0], blocks[-1]
    # widen to cover the unmatched ends of the quote as well
    start = max(0, first.a - first.b)
    end = min(len(body), last.a + last.size + (len(exact) - last.b - last.size))
    if end - start > 2 * len(exact):
        return None
    return start, end
