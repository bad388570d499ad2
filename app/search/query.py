"""User search text, parsed by us and never handed to a search engine's own syntax.

Words, "quoted phrases", prefixes (`denuclear*`) and exclusions (`-word`, `-"a phrase"`)
are recognised; everything else (operators, column filters, brackets, NUL bytes) is
treated as separators. Each engine then gets a query built only from quoted terms.
"""

import re
from dataclasses import dataclass, field

from app.errors import BadRequest

MAX_TERMS = 32
_TOKEN = re.compile(r'(-?)"([^"]*)"|(-?)([^\s"]+)')
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Term:
    """A word or phrase to look for (or to exclude)."""

    words: tuple[str, ...]
    prefix: bool = False
    negated: bool = False


@dataclass(frozen=True)
class SearchQuery:
    """Parsed search text: what must match and what must not."""

    terms: tuple[Term, ...] = field(default_factory=tuple)

    @property
    def positive(self) -> list[Term]:
        return [t for t in self.terms if not t.negated]

    @property
    def has_prefix(self) -> bool:
        return any(t.prefix for t in self.terms)

    def loose(self) -> "SearchQuery":
        """Every word of the positive terms on its own, phrases and exclusions dropped.

        It matches everything this query matches (and more), and cheaply: an engine
        finds records holding words without checking their positions."""
        words: dict[tuple[str, bool], None] = {}
        for term in self.positive:
            for i, word in enumerate(term.words):
                words[(word, term.prefix and i == len(term.words) - 1)] = None
        return SearchQuery(tuple(Term((w,), prefix=p) for w, p in words))

    def fts5(self) -> str:
        """An SQLite FTS5 MATCH expression: quoted terms, implicit AND, binary NOT."""
        positive = " ".join(_fts5_term(t) for t in self.positive)
        negative = "".join(f" NOT {_fts5_term(t)}" for t in self.terms if t.negated)
        return positive + negative

    def tsquery(self) -> str:
        """A PostgreSQL to_tsquery expression: quoted lexemes, & and !, <-> for phrases."""
        return " & ".join(("!" if t.negated else "") + _ts_term(t) for t in self.terms)


def _fts5_term(term: Term) -> str:
    text = '"' + " ".join(term.words) + '"'
    return text + "*" if term.prefix else text


def _ts_term(term: Term) -> str:
    lexemes = [f"'{w}'" for w in term.words]
    if term.prefix:
        lexemes[-1] += ":*"
    return lexemes[0] if len(lexemes) == 1 else "(" + " <-> ".join(lexemes) + ")"


def parse(text: str) -> SearchQuery:
    """Parse search text; 400 when it holds no word to look for."""
    terms: list[Term] = []
    for m in _TOKEN.finditer(text.replace("\x00", " ")):
        negated = bool(m.group(1) or m.group(3))
        raw = m.group(2) if m.group(2) is not None else m.group(4)
        prefix = m.group(2) is None and raw.endswith("*")
        words = tuple(w.lower() for w in _WORD.findall(raw))
        if words:
            terms.append(Term(words[:16], prefix=prefix, negated=negated))
    terms = terms[:MAX_TERMS]
    if not any(not t.negated for t in terms):
        raise BadRequest("The search text has no word to look for.")
    return SearchQuery(tuple(terms))
