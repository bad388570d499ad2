"""The estimative-language scale that turns an analyst's hedge words into a probability.

The bands are those of US Intelligence Community Directive 203 (2015), section D.6.e.
Modal verbs that ICD 203 does not define ("might", "could", "may", "potentially") are
read as a "possible" band spanning ICD 203's "unlikely" and "roughly even chance"; an
unhedged "will" (or "won't") is read as "very likely", and verbs of expectation
("expects", "anticipates", "predicts" with no other hedge) as "likely". The implied
probability is the band's midpoint. The longest matching phrase wins, so "very likely"
is not read as "likely".
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Band:
    """One band of the scale: a term, its low and high probability, and its source."""

    term: str
    low: float
    high: float
    source: str
    phrases: tuple[str, ...]

    @property
    def midpoint(self) -> float:
        return round((self.low + self.high) / 2, 4)


ICD = "ICD 203"
EXT = "Policy Ledger extension"

SCALE: tuple[Band, ...] = (
    Band("almost no chance", 0.01, 0.05, ICD, ("almost no chance", "remote")),
    Band("very unlikely", 0.05, 0.20, ICD, ("very unlikely", "highly improbable")),
    Band("unlikely", 0.20, 0.45, ICD, ("unlikely", "improbable", "improbably")),
    Band("roughly even chance", 0.45, 0.55, ICD,
         ("roughly even chance", "roughly even odds", "even chance")),
    Band("likely", 0.55, 0.80, ICD, ("likely", "probable", "probably")),
    Band("very likely", 0.80, 0.95, ICD, ("very likely", "highly probable", "highly likely")),
    Band("almost certain", 0.95, 0.99, ICD,
         ("almost certain", "almost certainly", "nearly certain", "nearly certainly")),
    Band("possible", 0.20, 0.55, EXT,
         ("might", "could", "may", "potentially", "possibly", "possible")),
    Band("expected", 0.55, 0.80, EXT, ("expects", "expect", "anticipates", "predicts")),
    Band("confident", 0.80, 0.95, EXT, ("will", "won't", "won’t", "will not")),
)

# Phrases in order of length so that the most specific phrase wins.
_PHRASES = sorted(
    ((phrase, band) for band in SCALE for phrase in band.phrases),
    key=lambda pb: (-len(pb[0].split()), -len(pb[0])),
)


def band_for_cue(cue: str | None) -> Band | None:
    """The band a cue falls in, or None when the cue holds no estimative words.

    ICD 203 terms outrank the extension's modal verbs: "will likely" is "likely".
    """
    if not cue:
        return None
    text = cue.lower()
    found = [
        band for phrase, band in _PHRASES
        if re.search(rf"(?<![\w’']){re.escape(phrase)}(?![\w’'])", text)
    ]
    if not found:
        return None
    icd = [b for b in found if b.source == ICD]
    return (icd or found)[0]
