"""Bench data: a large, realistic and deterministic dataset for load benchmarks.

`plan()` draws the dataset from a seed: every record as the API would receive it (the
create body), the instant it is written and the id it will get, in write order.
`load_bulk()` writes a plan with executemany batches, computing every column the
services would derive (quote context, implied probability, initial forecasts, forecast
summaries, versions, status, index rows); `load_via_services()` writes the same plan
through the services one record at a time. A test holds the two equal.

Times come from the plan, never from the wall clock, so one seed gives identical rows.
"""

import bisect
import functools
import itertools
import operator
import random
import statistics
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import astuple, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, select, text
from sqlmodel import Session, col

from app.anchoring import span_at
from app.claims.links import (
    prediction_actors,
    prediction_events,
    prediction_topics,
    recommendation_actors,
    recommendation_topics,
)
from app.crud import Link, slugify, stored_ids
from app.estimative import band_for_cue
from app.models import (
    Actor,
    Analyst,
    Annotation,
    AnnotationTag,
    Document,
    Forecast,
    Organization,
    Prediction,
    Recommendation,
    Report,
    ReportAuthor,
    ReportDocument,
    Resolution,
    ScoreRollup,
    StatusChange,
    Topic,
    prediction_actor,
    prediction_topic,
    recommendation_actor,
    recommendation_topic,
)
from app.outcomes.service import time_average
from app.scoring import rollups
from app.scoring.aggregate import row_cell
from app.search.index import _join, key
from app.sources.service import report_authors, report_documents, sha256_hex
from app.types import UTCDateTime, frozen_clock

# When the seed article is loaded, and the last day anything in the dataset happens.
SEED_AT = datetime(2016, 1, 1, 8, 0, tzinfo=UTC)
FIRST_DAY = date(2016, 1, 4)
LAST_DAY = date(2025, 12, 31)

# Tables whose next ids the plan needs (the seed may already hold rows in them).
ID_TABLES: dict[str, Any] = {
    "organization": Organization, "analyst": Analyst, "document": Document, "report": Report,
    "actor": Actor, "topic": Topic, "prediction": Prediction, "forecast": Forecast,
    "resolution": Resolution, "recommendation": Recommendation, "status_change": StatusChange,
    "annotation": Annotation,
}

# ---- vocabulary ------------------------------------------------------------------------

# A Zipf-distributed vocabulary (bench/search.py uses it too): a few thousand filler words, with
# the domain's words at realistic ranks ("china" common, "denuclearization" far rarer).
FILLER = [a + b + c for a in ("ba", "ko", "mi", "sa", "tu", "re", "lo", "ne", "di", "ga")
          for b in ("ran", "vel", "tos", "mer", "kin", "dol", "sep", "wit", "hab", "zun")
          for c in ("a", "o", "en", "is", "ur", "ide", "ant", "ex", "im", "ol",
                    "ath", "ber", "cy", "dum", "eff", "fox", "gil", "hur", "ing", "jol",
                    "kel", "lum", "mox", "nid", "ost", "pru", "quil", "rast", "sod", "tez",
                    "ulf", "vox", "wen", "xal")]
PLACED = {4: "china", 7: "korea", 9: "north", 12: "south", 20: "economic", 30: "sanctions",
          45: "summit", 60: "beijing", 80: "pyongyang", 120: "tourism", 200: "missile",
          300: "denuclearization", 500: "infrastructure", 800: "railway", 1500: "satellite",
          2500: "embassy"}
VOCAB = list(FILLER)
for _rank, _word in sorted(PLACED.items()):
    VOCAB.insert(_rank, _word)
WORD_POOL = 1 << 20  # words drawn up front (fewer for small datasets)

REAL_ACTORS: list[tuple[str, str, str | None, list[str]]] = [
    ("China", "state", "CN", ["Beijing", "PRC"]),
    ("North Korea", "state", "KP", ["Pyongyang", "DPRK"]),
    ("United States", "state", "US", ["Washington", "U.S."]),
    ("South Korea", "state", "KR", ["Seoul", "ROK"]),
    ("Japan", "state", "JP", ["Tokyo"]),
    ("Russia", "state", "RU", ["Moscow"]),
    ("Kim Jong Un", "person", "KP", []),
    ("Xi Jinping", "person", "CN", []),
    ("United Nations Security Council", "organization", None, ["UNSC"]),
    ("European Union", "organization", None, ["EU", "Brussels"]),
    ("Taiwan", "place", "TW", ["Taipei"]),
    ("Mongolia", "state", "MN", ["Ulaanbaatar"]),
    ("Vietnam", "state", "VN", ["Hanoi"]),
    ("India", "state", "IN", ["New Delhi"]),
    ("ASEAN", "organization", None, ["Association of Southeast Asian Nations"]),
    ("Korean People's Army", "group", "KP", ["KPA"]),
    ("Chinese Communist Party", "organization", "CN", ["CCP"]),
    ("Yalu River", "place", None, []),
    ("Dandong", "place", "CN", []),
    ("Rason", "place", "KP", ["Rajin-Sonbong"]),
]
ACTOR_FORMS = ["Ministry", "Province", "Group", "Party", "Council", "Port"]
REAL_TOPICS = ["Sanctions", "Denuclearization", "Tourism", "Trade", "Missile tests",
               "Infrastructure", "Railway links", "Satellite launches", "Diplomacy",
               "Energy", "Human rights", "Cyber operations", "Food security", "Alliances",
               "Summits", "Economic cooperation"]
ORG_KINDS = ["institute"] * 12 + ["commission", "government", "legislature", "outlet",
                                  "outlet", "intergovernmental", "other"]
COUNTRIES = ["KR", "US", "JP", "CN", "GB", "DE", "FR", "AU", "SG", "IN", "RU", "CA"]
ORG_STEMS = ["Asan", "Sejong", "Korea", "Pacific", "East Asia", "Atlantic", "Strategic",
             "Peninsula", "Northeast Asia", "Global", "Security", "Unification", "Harbour",
             "Meridian", "Continental", "Maritime"]
ORG_FORMS = ["Institute for Policy Studies", "Institute for National Strategy", "Forum",
             "Council on Foreign Relations", "Centre for Security Studies", "Review Commission",
             "Research Institute", "Policy Center", "Times", "Daily", "Foundation"]
GIVEN = ["Min-jun", "Seo-yeon", "Ji-ho", "Hyun-jung", "Wei", "Li", "Hiroshi", "Yuki", "Anna",
         "James", "Maria", "David", "Sarah", "Thomas", "Elena", "Daniel", "Sofia", "Kenji",
         "Jae-won", "Soo-ah", "Michael", "Laura", "Pavel", "Olga", "Arjun", "Priya", "Chen",
         "Mei", "Robert", "Hannah", "Lucas", "Ines", "Tae-hoon", "Eun-ji", "Victor", "Claire",
         "Daisuke", "Aiko", "Samuel", "Grace"]
FAMILY = ["Kim", "Lee", "Park", "Choi", "Jung", "Yoo", "Zhang", "Wang", "Liu", "Tanaka",
          "Suzuki", "Smith", "Johnson", "Brown", "Miller", "Davis", "Garcia", "Martin",
          "Petrov", "Ivanova", "Sharma", "Gupta", "Nguyen", "Tran", "Schmidt", "Weber",
          "Dubois", "Moreau", "Rossi", "Bianchi", "Kang", "Cho", "Yoon", "Han", "Sato",
          "Ito", "Clark", "Lewis", "Walker", "Young"]
TITLES = ["senior researcher", "research fellow", "director", "visiting scholar",
          "senior fellow", "analyst", "professor", "correspondent", None]
PREDICTION_CUES = [("will likely", 20), ("will probably", 8), ("is likely to", 10),
                   ("could", 10), ("may", 8), ("might", 5), ("will", 12),
                   ("will almost certainly", 3), ("is unlikely to", 6), ("is very likely to", 4),
                   ("expects to", 3), ("has a roughly even chance to", 2),
                   ("is expected to", 5), ("aims to", 4)]
RECOMMENDATION_CUES = ["should", "must", "needs to", "ought to", "is advised to",
                       "would do well to"]
RECOMMENDATION_PATHS = [["accepted", "partially_implemented", "implemented"],
                        ["accepted", "implemented"], ["rejected"], ["moot"],
                        ["accepted", "superseded"], ["partially_implemented"]]
MOTIVATIONS = [("commenting", 50), ("questioning", 14), ("assessing", 14), ("linking", 4),
               ("tagging", 5), ("describing", 3), ("bookmarking", 2)]
TAGS = ["needs-source", "disputed", "follow-up", "sanctions", "nk-economy", "good-call",
        "vague", "deadline", "conditional", "duplicate", "translation", "checked",
        "missile", "tourism", "railway", "satellite", "summit", "energy", "trade", "cyber"]


# ---- the plan --------------------------------------------------------------------------

@dataclass
class Item:
    """One write: when it happens, the id it creates (or the record it is on), the body."""

    at: datetime
    id: int
    body: dict[str, Any]
    author: str = ""  # annotations: the key name that writes them


@dataclass
class Plan:
    """The dataset, section by section, in write order."""

    organizations: list[Item] = field(default_factory=list)
    analysts: list[Item] = field(default_factory=list)
    documents: list[Item] = field(default_factory=list)
    reports: list[Item] = field(default_factory=list)
    actors: list[Item] = field(default_factory=list)
    topics: list[Item] = field(default_factory=list)
    predictions: list[Item] = field(default_factory=list)
    forecasts: list[Item] = field(default_factory=list)  # id = the prediction's
    resolutions: list[Item] = field(default_factory=list)  # id = the prediction's
    recommendations: list[Item] = field(default_factory=list)
    status_changes: list[Item] = field(default_factory=list)  # id = the recommendation's
    annotations: list[Item] = field(default_factory=list)

    def sizes(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in SECTIONS}


SECTIONS = ("organizations", "analysts", "documents", "reports", "actors", "topics",
            "predictions", "forecasts", "resolutions", "recommendations", "status_changes",
            "annotations")


def sizes_for(predictions: int) -> dict[str, int]:
    """How many of each record a dataset of `predictions` predictions holds."""
    s = predictions / 200_000
    return {"organizations": max(3, round(150 * s)), "analysts": max(6, round(1000 * s)),
            "reports": max(2, round(20_000 * s)), "actors": max(12, round(2000 * s)),
            "topics": max(6, round(300 * s)), "predictions": predictions,
            "recommendations": round(50_000 * s), "annotations": round(500_000 * s)}


class _Random(random.Random):
    """The draws this module makes most, each from one `random()` (faster than the stdlib's
    exact-integer versions; the slight bias is irrelevant here)."""

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            return int(self.random() * start)
        return start + int(self.random() * (stop - start))

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq: Sequence[Any]) -> Any:  # type: ignore[override]
        return seq[int(self.random() * len(seq))]


class _Words:
    """Text drawn from the Zipf vocabulary: slices of one long pre-drawn stream."""

    def __init__(self, rng: random.Random, size: int) -> None:
        cumulative = list(itertools.accumulate(1 / (r + 1) for r in range(len(VOCAB))))
        self.pool = rng.choices(VOCAB, cum_weights=cumulative, k=size)
        self.size = size
        self.rng = rng

    def __call__(self, n: int) -> str:
        at = self.rng.randrange(self.size - n)
        return " ".join(self.pool[at:at + n])

    def sentence(self, lo: int, hi: int) -> str:
        return self(self.rng.randint(lo, hi)).capitalize() + "."


def _zipf(n: int, s: float = 1.0) -> list[float]:
    return list(itertools.accumulate(1 / (r + 1) ** s for r in range(n)))


def _pick(rng: random.Random, cum: list[float], k: int) -> list[int]:
    """Up to k distinct indexes, Zipf-popular first ranks."""
    total, last = cum[-1], len(cum) - 1
    if k == 1:
        return [min(bisect.bisect(cum, rng.random() * total), last)]
    return list(dict.fromkeys(min(bisect.bisect(cum, rng.random() * total), last)
                              for _ in range(k)))


_band = functools.lru_cache(maxsize=None)(band_for_cue)


def _at(day: date, seconds: int) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC) + timedelta(seconds=seconds)


def plan(predictions: int, seed: int, first_ids: dict[str, int]) -> Plan:
    """Draw the dataset; `first_ids[table]` is the id its first new row gets."""
    rng = _Random(f"policy-ledger-bench:{seed}")
    words = _Words(rng, min(WORD_POOL, 20_000 + 20 * predictions))
    n = sizes_for(predictions)
    out = Plan()
    ids = dict(first_ids)

    def next_id(table: str) -> int:
        ids[table] += 1
        return ids[table] - 1

    setup = iter(range(10**9))

    def setup_at() -> datetime:
        return SEED_AT + timedelta(minutes=5, seconds=next(setup))

    # organizations and their analysts
    org_ids: list[int] = []
    org_kinds: list[str] = []
    for i in range(n["organizations"]):
        name = f"{rng.choice(ORG_STEMS)} {rng.choice(ORG_FORMS)}"
        kind = rng.choice(ORG_KINDS)
        acronym = "".join(w[0] for w in name.split() if w[0].isupper())
        oid = next_id("organization")
        out.organizations.append(Item(setup_at(), oid, {
            "slug": f"{slugify(name, 80)}-{i + 1}", "name": name, "kind": kind,
            "country": rng.choice(COUNTRIES),
            "url": f"https://org{i + 1}.example.org" if rng.random() < 0.8 else None,
            "aliases": [acronym] if len(acronym) > 1 and rng.random() < 0.6 else [],
        }))
        org_ids.append(oid)
        org_kinds.append(kind)
    org_cum = _zipf(len(org_ids), 0.8)
    staff: dict[int, list[int]] = defaultdict(list)
    analyst_ids: list[int] = []
    names = rng.sample([f"{g} {f}" for f in FAMILY for g in GIVEN], k=len(GIVEN) * len(FAMILY))
    for i in range(n["analysts"]):
        group = rng.random() < 0.04
        org = org_ids[_pick(rng, org_cum, 1)[0]] if rng.random() < 0.95 else None
        name = "analysts (unnamed)" if group else names[i % len(names)]
        aid = next_id("analyst")
        out.analysts.append(Item(setup_at(), aid, {
            "slug": f"{slugify(name, 80)}-{i + 1}", "name": name,
            "kind": "group" if group else "person",
            "title": None if group else rng.choice(TITLES), "organization_id": org,
        }))
        analyst_ids.append(aid)
        if org is not None:
            staff[org].append(aid)

    # actors and topics, popular first
    actor_ids: list[int] = []
    actor_names: dict[int, str] = {}
    for i in range(n["actors"]):
        if i < len(REAL_ACTORS):
            name, kind, country, aliases = REAL_ACTORS[i]
        else:
            name = f"{words(1).capitalize()} {rng.choice(ACTOR_FORMS)}"
            kind = rng.choice(["organization", "place", "group", "person"])
            country, aliases = rng.choice(COUNTRIES), []
        item = Item(setup_at(), next_id("actor"), {
            "slug": f"{slugify(name, 80)}-{i + 1}", "name": name, "kind": kind,
            "country": country, "aliases": list(aliases)})
        out.actors.append(item)
        actor_ids.append(item.id)
        actor_names[item.id] = name
    topic_ids: list[int] = []
    for i in range(n["topics"]):
        name = REAL_TOPICS[i] if i < len(REAL_TOPICS) else f"{words(2).capitalize()}"
        item = Item(setup_at(), next_id("topic"), {
            "slug": f"{slugify(name, 80)}-{i + 1}", "name": name,
            "description": words.sentence(6, 14) if rng.random() < 0.5 else None})
        out.topics.append(item)
        topic_ids.append(item.id)
    actor_cum, topic_cum = _zipf(len(actor_ids), 1.1), _zipf(len(topic_ids), 1.0)
    cue_cum = list(itertools.accumulate(float(w) for _, w in PREDICTION_CUES))

    # reports, each described by one document quoting its predictions and recommendations
    reports = n["reports"]
    per_report: list[list[int]] = [[] for _ in range(reports)]
    for p in range(predictions):
        per_report[rng.randrange(reports)].append(p)
    recs_per_report: list[list[int]] = [[] for _ in range(reports)]
    for r in range(n["recommendations"]):
        recs_per_report[rng.randrange(reports)].append(r)
    span_days = (LAST_DAY - FIRST_DAY).days - 200
    outlets = [o for o, k in zip(org_ids, org_kinds, strict=True) if k == "outlet"]
    prediction_items: list[Item | None] = [None] * predictions
    rec_items: list[Item | None] = [None] * n["recommendations"]
    doc_sentences: list[tuple[int, str, list[tuple[int, int]], datetime]] = []
    report_meta: list[tuple[int, date, datetime, list[int], int]] = []
    for r in range(reports):
        published = FIRST_DAY + timedelta(days=rng.randrange(span_days))
        created = _at(published, 9 * 3600 + rng.randrange(8 * 3600))
        publisher = org_ids[_pick(rng, org_cum, 1)[0]]
        pool = staff.get(publisher) or analyst_ids
        authors = list(dict.fromkeys(rng.choice(pool) for _ in range(rng.choice((1, 1, 2, 3)))))
        doc_id, report_id = next_id("document"), next_id("report")
        claims: list[tuple[str, int, str, dict[str, Any]]] = []
        for p in per_report[r]:
            actors = [actor_ids[i] for i in _pick(rng, actor_cum, rng.choice((1, 1, 2, 3)))]
            cue = PREDICTION_CUES[_pick(rng, cue_cum, 1)[0]][0]
            exact = f"{actor_names[actors[0]]} {cue} {words(rng.randint(7, 15))}."
            claims.append(("p", p, exact, {
                "actors": actors, "cue": cue, "analyst": rng.choice(authors)}))
        for q in recs_per_report[r]:
            actors = [actor_ids[i] for i in _pick(rng, actor_cum, rng.choice((1, 2)))]
            cue = rng.choice(RECOMMENDATION_CUES)
            exact = f"{actor_names[actors[0]]} {cue} {words(rng.randint(6, 14))}."
            claims.append(("r", q, exact, {"actors": actors, "cue": cue}))
        parts: list[tuple[str, int, str, dict[str, Any]]] = [
            ("f", -1, words.sentence(6, 18), {}) for _ in range(rng.randint(5, 12))]
        parts += claims
        rng.shuffle(parts)
        body_chunks: list[str] = []
        offset = 0
        spans: list[tuple[int, int]] = []
        starts: dict[tuple[str, int], int] = {}
        for j, (kind, idx, sentence, _) in enumerate(parts):
            if j:
                sep = "\n\n" if j % 4 == 0 else " "
                body_chunks.append(sep)
                offset += len(sep)
            starts[(kind, idx)] = offset
            spans.append((offset, offset + len(sentence)))
            body_chunks.append(sentence)
            offset += len(sentence)
        body = "".join(body_chunks)
        title = words.sentence(4, 9)[:-1]
        out.documents.append(Item(created, doc_id, {
            "slug": f"{slugify(title, 60)}-d{r + 1}", "title": title,
            "outlet_id": rng.choice(outlets) if outlets and rng.random() < 0.3 else None,
            "url": f"https://docs.example.org/{r + 1}", "published_on": published,
            "published_precision": "day", "language": "en", "body": body}))
        out.reports.append(Item(created + timedelta(seconds=30), report_id, {
            "slug": f"{slugify(title, 60)}-r{r + 1}", "title": title,
            "publisher_id": publisher, "published_on": published,
            "published_precision": rng.choice(("day", "day", "day", "month")),
            "published_wording": rng.choice((None, None, None, "On Wednesday", "Last week")),
            "url": f"https://reports.example.org/{r + 1}" if rng.random() < 0.7 else None,
            "summary": words.sentence(20, 45) if rng.random() < 0.8 else None,
            "author_ids": authors, "document_ids": [doc_id]}))
        doc_sentences.append((doc_id, body, spans, created))
        report_meta.append((report_id, published, created, authors, publisher))
        for k, (kind, idx, exact, extra) in enumerate(c for c in parts if c[0] != "f"):
            start = starts[(kind, idx)]
            quote = {"document_id": doc_id, "exact": exact, "start": start,
                     "end": start + len(exact)}
            at = created + timedelta(minutes=2 + k)
            if kind == "p":
                prediction_items[idx] = _prediction(
                    rng, words, at, idx, quote, extra, report_id, published, topic_ids,
                    topic_cum)
            else:
                rec_items[idx] = _recommendation(
                    rng, words, at, idx, quote, extra, report_id, published, authors,
                    publisher, topic_ids, topic_cum)

    # predictions (ids in their drawn order), then their forecasts and resolutions
    for drawn in prediction_items:
        assert drawn is not None
        drawn.id = next_id("prediction")
        out.predictions.append(drawn)
    _outcomes(rng, words, out, analyst_ids)
    for drawn in rec_items:
        assert drawn is not None
        drawn.id = next_id("recommendation")
        out.recommendations.append(drawn)
    _status_changes(rng, words, out)
    _annotations(rng, words, out, n["annotations"], doc_sentences, analyst_ids, ids)
    return out


def _prediction(rng: random.Random, words: _Words, at: datetime, n: int, quote: dict[str, Any],
                extra: dict[str, Any], report_id: int, published: date,
                topic_ids: list[int], topic_cum: list[float]) -> Item:
    resolve_by = published + timedelta(days=rng.randint(90, 1460))
    return Item(at, 0, {
        "slug": f"{slugify(quote['exact'], 60)}-{n + 1}",
        "report_id": report_id, "analyst_id": extra["analyst"],
        "statement": quote["exact"], "quote": quote, "cue": extra["cue"],
        "probability": round(rng.uniform(0.05, 0.95), 2) if rng.random() < 0.1 else None,
        "condition": f"if {words(rng.randint(5, 10))}" if rng.random() < 0.1 else None,
        "resolve_by": resolve_by,
        "resolution_criteria": (f"Resolves true if {words(rng.randint(6, 14))}."
                                if rng.random() < 0.5 else None),
        "actor_ids": extra["actors"],
        "topic_ids": [topic_ids[i] for i in _pick(rng, topic_cum, rng.choice((0, 1, 1, 2)))],
        "event_ids": [],
    })


def _recommendation(rng: random.Random, words: _Words, at: datetime, n: int,
                    quote: dict[str, Any],
                    extra: dict[str, Any], report_id: int, published: date, authors: list[int],
                    publisher: int, topic_ids: list[int], topic_cum: list[float]) -> Item:
    by_analyst = rng.random() < 0.85
    return Item(at, 0, {
        "slug": f"{slugify(quote['exact'], 60)}-r{n + 1}",
        "report_id": report_id, "analyst_id": rng.choice(authors) if by_analyst else None,
        "organization_id": publisher if not by_analyst or rng.random() < 0.2 else None,
        "statement": quote["exact"], "quote": quote, "cue": extra["cue"],
        "addressee_id": extra["actors"][0], "issued_on": published,
        "issued_precision": "day", "issued_wording": None, "actor_ids": extra["actors"],
        "topic_ids": [topic_ids[i] for i in _pick(rng, topic_cum, rng.choice((0, 1, 2)))],
    })


def _evidence(rng: random.Random, words: _Words, day: date) -> list[dict[str, Any]]:
    if rng.random() < 0.6:
        return []
    return [{"title": words.sentence(4, 9)[:-1],
             "url": f"https://news.example.org/{rng.randrange(10**7)}",
             "quote": None, "published_on": day.isoformat()}]


def _outcomes(rng: random.Random, words: _Words, out: Plan, analyst_ids: list[int]) -> None:
    """Forecast updates on ~30 % of predictions, resolutions on ~60 %."""
    last = datetime.combine(LAST_DAY, time(), tzinfo=UTC)
    resolutions: list[Item] = []
    for item in out.predictions:
        b = item.body
        created = item.at
        known: date | None = None
        if rng.random() < 0.6:
            earliest = created.date() + timedelta(days=30)
            known = min(max(b["resolve_by"] + timedelta(days=rng.randint(-60, 90)), earliest),
                        LAST_DAY)
            if known < earliest:
                known = None
        end = datetime.combine(known, time(), tzinfo=UTC) if known else last
        if rng.random() < 0.3:
            lo, hi = int(created.timestamp()) + 86_400, int(end.timestamp()) - 3600
            k = rng.choice((1, 1, 2, 3))
            if hi - lo > 10 * k:
                for t in sorted(rng.sample(range(lo, hi), k)):
                    made = datetime.fromtimestamp(t, UTC)
                    author = rng.random() < 0.5
                    out.forecasts.append(Item(made, item.id, {
                        "forecaster_id": b["analyst_id"] if author else rng.choice(analyst_ids),
                        "probability": round(rng.uniform(0.02, 0.98), 2), "made_at": made,
                        "rationale": words.sentence(5, 15) if rng.random() < 0.3 else None}))
        if known is not None:
            f = b["probability"] or (band.midpoint if (band := _band(b["cue"])) else 0.5)
            roll = rng.random()
            if roll < 0.03:
                outcome = "ambiguous"
            elif roll < 0.05:
                outcome = "annulled"
            elif roll < 0.10:
                outcome = "partially_true"
            else:
                outcome = "true" if rng.random() < 0.2 + 0.6 * f else "false"
            resolutions.append(Item(
                datetime.combine(known, time(15), tzinfo=UTC), item.id, {
                    "outcome": outcome, "outcome_known_on": known,
                    "rationale": words.sentence(6, 16) if rng.random() < 0.4 else None,
                    "evidence": _evidence(rng, words, known),
                    "recorded_by": rng.choice(("editor", "ledger-desk", None))}))
    out.resolutions = resolutions


def _status_changes(rng: random.Random, words: _Words, out: Plan) -> None:
    """A status history on ~60 % of recommendations."""
    for item in out.recommendations:
        if rng.random() >= 0.6:
            continue
        day = item.body["issued_on"]
        for status in rng.choice(RECOMMENDATION_PATHS):
            day = min(day + timedelta(days=rng.randint(20, 500)), LAST_DAY)
            out.status_changes.append(Item(
                datetime.combine(day, time(12), tzinfo=UTC), item.id, {
                    "status": status, "changed_on": day,
                    "note": words.sentence(5, 15) if rng.random() < 0.5 else None,
                    "evidence": _evidence(rng, words, day),
                    "recorded_by": rng.choice(("editor", "ledger-desk", None))}))


def _annotations(rng: random.Random, words: _Words, out: Plan, count: int,
                 documents: list[tuple[int, str, list[tuple[int, int]], datetime]],
                 analyst_ids: list[int], ids: dict[str, int]) -> None:
    authors = [f"{g.lower()}-{f.lower()}" for g, f in zip(GIVEN, FAMILY, strict=True)]
    author_cum = _zipf(len(authors), 1.2)
    tag_cum = _zipf(len(TAGS), 1.0)
    motivation_cum = list(itertools.accumulate(float(w) for _, w in MOTIVATIONS))
    targets: list[tuple[str, Sequence[Item], float]] = [
        ("prediction", out.predictions, 0.50), ("recommendation", out.recommendations, 0.12),
        ("report", out.reports, 0.07), ("document", out.documents, 0.15),
        ("resolution", out.resolutions, 0.03), ("analyst", out.analysts, 0.02)]
    first_resolution = ids["resolution"]  # resolutions take ids in plan order
    last = datetime.combine(LAST_DAY, time(), tzinfo=UTC)
    made: list[Item] = []
    for _ in range(count):
        roll = rng.random()
        body: dict[str, Any] = {"body": words.sentence(8, 30),
                                "format": "text/markdown" if rng.random() < 0.1 else "text/plain",
                                "tags": [TAGS[i] for i in
                                         _pick(rng, tag_cum, rng.choice((0, 0, 1, 1, 2, 3)))]}
        if made and roll < 0.11:
            parent = made[rng.randrange(len(made))]
            body["reply_to_id"] = parent.id
            at = parent.at + timedelta(seconds=rng.randint(60, 30 * 86_400))
        else:
            acc = 0.11
            kind, pool = targets[-1][0], targets[-1][1]
            for name, seq, share in targets:
                acc += share
                if roll < acc:
                    kind, pool = name, seq
                    break
            if not pool:
                kind, pool = "prediction", out.predictions
            j = rng.randrange(len(pool))
            target = pool[j]
            target_id = first_resolution + j if kind == "resolution" else target.id
            body["target"] = {"type": kind, "id": target_id}
            body["motivation"] = MOTIVATIONS[_pick(rng, motivation_cum, 1)[0]][0]
            if kind == "document" and rng.random() < 0.6:
                _, text_body, spans, _ = documents[j]
                s, e = spans[rng.randrange(len(spans))]
                body["target"]["selector"] = {"exact": text_body[s:e], "start": s, "end": e}
                body["motivation"] = "highlighting"
            base = max(target.at, SEED_AT)
            spread = max(int((last - base).total_seconds()), 3600)
            at = base + timedelta(seconds=rng.randint(3600, spread))
        item = Item(at, ids["annotation"], body,
                    authors[_pick(rng, author_cum, 1)[0]])
        ids["annotation"] += 1
        made.append(item)
    out.annotations = made


# ---- writing through the services --------------------------------------------------------

def load_via_services(session: Session, data: Plan) -> None:
    """Write the plan one record at a time through the services (slow; for tests)."""
    from app.annotations import service as notes
    from app.annotations.schemas import AnnotationCreate
    from app.claims.service import predictions, recommendations
    from app.crud import create
    from app.directory.service import actors, analysts, organizations, topics
    from app.outcomes import schemas as o
    from app.outcomes import service as outcomes
    from app.sources.service import documents, reports

    resources = {"organizations": organizations, "analysts": analysts,
                 "documents": documents, "reports": reports, "actors": actors,
                 "topics": topics, "predictions": predictions,
                 "recommendations": recommendations}
    for section in SECTIONS:
        for item in getattr(data, section):
            with frozen_clock(item.at):
                if section in resources:
                    resource = resources[section]
                    made: Any = create(session, resource,
                                       resource.create.model_validate(item.body))
                    assert made.id == item.id, (section, made.id, item.id)
                elif section == "forecasts":
                    outcomes.add_forecast(session, item.id,
                                          o.ForecastCreate.model_validate(item.body))
                elif section == "resolutions":
                    outcomes.resolve(session, item.id,
                                     o.ResolutionCreate.model_validate(item.body))
                elif section == "status_changes":
                    outcomes.change_status(session, item.id,
                                           o.StatusChangeCreate.model_validate(item.body))
                else:
                    note = notes.create(session, AnnotationCreate.model_validate(item.body),
                                        item.author)
                    assert note.id == item.id, (section, note.id, item.id)
    session.flush()


# ---- writing in bulk ---------------------------------------------------------------------

Progress = Callable[[str, int, int], None]
BATCH = 20_000


class _Writer:
    """Inserts rows of one table in batches, reporting progress."""

    def __init__(self, session: Session, progress: Progress | None) -> None:
        self.session = session
        self.progress = progress
        self.dialect = session.get_bind().dialect
        self.mark = "?" if self.dialect.paramstyle == "qmark" else "%s"
        column = "rowid" if self.dialect.name == "sqlite" else "key"
        self.index_sql = (f"INSERT INTO search_document ({column}, doc_type, record_id, title,"
                          f" body) VALUES ({', '.join([self.mark] * 5)})")

    def rows(self, label: str, table: Any, rows: Iterable[dict[str, Any]],
             total: int) -> None:
        """Insert dicts into a table; values pass through the columns' own bind processors
        (the ones an ORM insert uses), then go to the driver's executemany as tuples."""
        names = [c.name for c in table.columns]
        processors = [(n, _memo(p) if isinstance(c.type, UTCDateTime) else p)
                      for n, c in enumerate(table.columns)
                      if (p := c.type.dialect_impl(self.dialect).bind_processor(self.dialect))
                      is not None]
        sql = (f"INSERT INTO {table.name} ({', '.join(names)}) "
               f"VALUES ({', '.join([self.mark] * len(names))})")
        get = operator.itemgetter(*names)

        def values(row: dict[str, Any]) -> tuple[Any, ...]:
            found = get(row)
            if not processors:
                return found  # type: ignore[no-any-return]
            out = list(found)
            for n, process in processors:
                if out[n] is not None:
                    out[n] = process(out[n])
            return tuple(out)

        self._execute(label, sql, map(values, rows), total)

    def index(self, doc_type: str, rows: Iterable[tuple[int, str, str]], total: int) -> None:
        docs = ((key(doc_type, i), doc_type, i, t or "", b or "") for i, t, b in rows)
        self._execute(f"index:{doc_type}", self.index_sql, docs, total)

    def _execute(self, label: str, sql: str, rows: Iterable[tuple[Any, ...]],
                 total: int) -> None:
        conn = self.session.connection()
        done = 0
        for batch in _batches(rows):
            conn.exec_driver_sql(sql, batch)
            done += len(batch)
            if self.progress:
                self.progress(label, done, total)
        if self.progress and done == 0:
            self.progress(label, 0, 0)


def _memo(process: Any) -> Any:
    """A bind processor remembering recent results (timestamps repeat: created = updated)."""
    return functools.lru_cache(maxsize=1 << 16)(process) if process is not None else None


def _table(model: Any) -> Any:
    return model.__table__


def _batches(rows: Iterable[Any]) -> Iterator[list[Any]]:
    it = iter(rows)
    while batch := list(itertools.islice(it, BATCH)):
        yield batch


def _stamp(at: datetime) -> dict[str, Any]:
    return {"created_at": at, "updated_at": at, "version": 1}


def load_bulk(engine: Engine, data: Plan, progress: Progress | None = None) -> dict[str, int]:
    """Write the plan with batched inserts, one transaction per kind of record (with its
    links, logs and index rows); returns the records written per step."""
    sqlite = engine.dialect.name == "sqlite"
    counts: dict[str, int] = {}

    def step(name: str, work: Callable[[_Writer], int | None]) -> None:
        with Session(engine) as session:
            result = work(_Writer(session, progress))
            session.commit()
            if result is not None:
                counts[name] = result

    dropped: list[str] = []
    if sqlite:  # a crash mid-load loses the load anyway; no need to sync every commit
        for pragma in ("synchronous=OFF", "cache_size=-262144", "temp_store=MEMORY"):
            _pragma(engine, f"PRAGMA {pragma}")
        dropped = _drop_indexes(engine)
    names: dict[str, dict[int, str]] = {"organization": {}, "analyst": {}, "actor": {},
                                        "topic": {i.id: i.body["name"] for i in data.topics}}
    aliases: dict[int, list[str]] = {}
    for item in data.organizations:
        names["organization"][item.id] = item.body["name"]
    for item in data.analysts:
        names["analyst"][item.id] = item.body["name"]
    for item in data.actors:
        names["actor"][item.id] = item.body["name"]
        aliases[item.id] = item.body["aliases"]
    bodies = {item.id: item.body["body"] for item in data.documents}

    step("organization", lambda w: _directory(w, data))
    step("document", lambda w: _documents(w, data))
    step("report", lambda w: _reports(w, data, names["organization"]))
    step("prediction", lambda w: _predictions(w, data, bodies, names, aliases))
    step("recommendation", lambda w: _recommendations(w, data, bodies, names, aliases))
    step("annotation", lambda w: _annotation_rows(w, data, bodies))
    if dropped:
        with engine.begin() as conn:
            for n, sql in enumerate(dropped, 1):
                conn.exec_driver_sql(sql)
                if progress:
                    progress("indexes", n, len(dropped))
    finish(engine)
    return counts


LOADED = ("prediction", "prediction_actor", "prediction_topic", "forecast", "resolution",
          "recommendation", "recommendation_actor", "recommendation_topic",
          "recommendation_status_change", "annotation", "annotation_tag", "document", "report",
          "report_author", "report_document")


def _drop_indexes(engine: Engine) -> list[str]:
    """SQLite: drop the secondary indexes of the big tables; returns the SQL that makes them
    again, exactly as the migrations wrote it (building an index once beats updating it)."""
    marks = ", ".join("?" * len(LOADED))
    with engine.begin() as conn:
        found = conn.exec_driver_sql(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) ORDER BY name", LOADED).all()
        for name, _ in found:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


def _pragma(engine: Engine, sql: str) -> None:
    """Run a PRAGMA outside any transaction, on the pool's connection."""
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute(sql)  # type: ignore[union-attr]
    finally:
        raw.close()


def _directory(w: _Writer, data: Plan) -> int:
    org_names = {i.id: i.body["name"] for i in data.organizations}
    w.rows("organization", _table(Organization),
           ({"id": i.id, **_stamp(i.at), **i.body} for i in data.organizations),
           len(data.organizations))
    w.rows("analyst", _table(Analyst),
           ({"id": i.id, **_stamp(i.at), **i.body} for i in data.analysts), len(data.analysts))
    w.index("analyst", ((i.id, i.body["name"], _join(
        i.body["title"], org_names.get(i.body["organization_id"]))) for i in data.analysts),
        len(data.analysts))
    w.rows("actor", _table(Actor),
           ({"id": i.id, **_stamp(i.at), **i.body} for i in data.actors), len(data.actors))
    w.index("actor", ((i.id, i.body["name"], _join(*i.body["aliases"])) for i in data.actors),
            len(data.actors))
    w.rows("topic", _table(Topic),
           ({"id": i.id, **_stamp(i.at), **i.body} for i in data.topics), len(data.topics))
    return len(data.organizations) + len(data.analysts) + len(data.actors) + len(data.topics)


def _documents(w: _Writer, data: Plan) -> int:
    w.rows("document", _table(Document),
           ({"id": i.id, **_stamp(i.at), **i.body, "sha256": sha256_hex(i.body["body"])}
            for i in data.documents), len(data.documents))
    w.index("document", ((i.id, i.body["title"], i.body["body"]) for i in data.documents),
            len(data.documents))
    return len(data.documents)


def _reports(w: _Writer, data: Plan, orgs: dict[int, str]) -> int:
    def row(i: Item) -> dict[str, Any]:
        b = {k: v for k, v in i.body.items() if k not in ("author_ids", "document_ids")}
        return {"id": i.id, **_stamp(i.at), **b,
                **_link_ids(i.body, author_ids=report_authors, document_ids=report_documents)}

    w.rows("report", _table(Report), (row(i) for i in data.reports), len(data.reports))
    w.rows("report_author", _table(ReportAuthor),
           ({"report_id": i.id, "analyst_id": a, "position": n}
            for i in data.reports for n, a in enumerate(dict.fromkeys(i.body["author_ids"]))),
           sum(len(set(i.body["author_ids"])) for i in data.reports))
    w.rows("report_document", _table(ReportDocument),
           ({"report_id": i.id, "document_id": d}
            for i in data.reports for d in dict.fromkeys(i.body["document_ids"])),
           len(data.reports))
    w.index("report", ((i.id, i.body["title"], _join(
        i.body["summary"], i.body["published_wording"], orgs.get(i.body["publisher_id"])))
        for i in data.reports), len(data.reports))
    return len(data.reports)


def _quote(bodies: dict[int, str], quote: dict[str, Any] | None) -> dict[str, Any]:
    """The quote_* columns, as the services check and store them."""
    if quote is None:
        return {f"quote_{k}": None for k in ("document_id", "exact", "start", "end", "prefix",
                                             "suffix", "status")}
    span = span_at(bodies[quote["document_id"]], quote["start"], quote["end"])
    if span.exact != quote["exact"]:
        raise ValueError(f"quote does not match document {quote['document_id']}")
    return {"quote_document_id": quote["document_id"], "quote_exact": span.exact,
            "quote_start": span.start, "quote_end": span.end,
            "quote_prefix": quote.get("prefix") or span.prefix,
            "quote_suffix": quote.get("suffix") or span.suffix, "quote_status": span.status}


def _words_of(ids: Iterable[int], names: dict[int, str],
              aliases: dict[int, list[str]] | None = None) -> list[str]:
    out: list[str] = []
    for i in sorted(set(ids)):
        out.append(names[i])
        if aliases is not None:
            out.extend(aliases[i])
    return out


def _predictions(w: _Writer, data: Plan, bodies: dict[int, str],
                 names: dict[str, dict[int, str]], aliases: dict[int, list[str]]) -> int:
    first = (data.predictions[0].id if data.predictions else 0)
    rows: list[dict[str, Any]] = []
    forecasts: list[dict[str, Any]] = []
    by_prediction: dict[int, list[dict[str, Any]]] = defaultdict(list)
    next_forecast = _first_id(w.session, Forecast)
    last_touch: dict[int, datetime] = {}
    for item in data.predictions:
        b = item.body
        band = _band(b["cue"])
        row = {"id": item.id, **_stamp(item.at), "slug": b["slug"], "statement": b["statement"],
               **_quote(bodies, b["quote"]), "cue": b["cue"],
               "report_id": b["report_id"], "analyst_id": b["analyst_id"],
               "probability": b["probability"],
               "implied_probability": band.midpoint if band else None,
               "estimative_term": band.term if band else None,
               "condition": b["condition"],
               "condition_status": "pending" if b["condition"] is not None else None,
               "resolve_by": b["resolve_by"], "resolution_criteria": b["resolution_criteria"],
               "outcome": None, "outcome_known_on": None, "resolution_id": None,
               "community_probability": None, "time_averaged_probability": None,
               **_link_ids(b, actor_ids=prediction_actors, topic_ids=prediction_topics,
                           event_ids=prediction_events)}
        initial = row["probability"] if row["probability"] is not None else \
            row["implied_probability"]
        if initial is not None:
            f = {"id": next_forecast, "prediction_id": item.id, "forecaster_id": b["analyst_id"],
                 "kind": "initial", "probability": initial, "made_at": item.at,
                 "valid_to": None, "rationale": None, "recorded_at": item.at}
            next_forecast += 1
            forecasts.append(f)
            by_prediction[item.id].append(f)
            row["community_probability"] = row["time_averaged_probability"] = initial
        rows.append(row)
    for item in data.forecasts:
        row = rows[item.id - first]
        b = item.body
        for f in by_prediction[item.id]:
            if f["forecaster_id"] == b["forecaster_id"] and f["valid_to"] is None:
                f["valid_to"] = b["made_at"]
        f = {"id": next_forecast, "prediction_id": item.id, "forecaster_id": b["forecaster_id"],
             "kind": "update", "probability": b["probability"], "made_at": b["made_at"],
             "valid_to": None, "rationale": b["rationale"], "recorded_at": item.at}
        next_forecast += 1
        forecasts.append(f)
        by_prediction[item.id].append(f)
        _summarise(row, by_prediction[item.id], item.at)
        row["version"] += 1
        row["updated_at"] = item.at
        last_touch[item.id] = item.at
    resolutions: list[dict[str, Any]] = []
    next_resolution = _first_id(w.session, Resolution)
    for item in data.resolutions:
        row = rows[item.id - first]
        b = item.body
        resolutions.append({
            "id": next_resolution, "prediction_id": item.id, "outcome": b["outcome"],
            "outcome_known_on": b["outcome_known_on"], "note": b["rationale"],
            "evidence": b["evidence"], "supersedes_id": None, "recorded_by": b["recorded_by"],
            "recorded_at": item.at})
        row.update(outcome=b["outcome"], outcome_known_on=b["outcome_known_on"],
                   resolution_id=next_resolution, version=row["version"] + 1,
                   updated_at=item.at)
        next_resolution += 1
        _summarise(row, by_prediction[item.id],
                   datetime.combine(b["outcome_known_on"], time(), tzinfo=UTC))
    _rollups(w, data, rows)
    w.rows("prediction", _table(Prediction), rows, len(rows))
    _links(w, "prediction", data.predictions,
           (("actor_ids", prediction_actor), ("topic_ids", prediction_topic)))
    w.rows("forecast", _table(Forecast), forecasts, len(forecasts))
    w.rows("resolution", _table(Resolution), resolutions, len(resolutions))
    w.index("prediction", ((i.id, i.body["statement"], _join(
        rows[i.id - first]["quote_exact"], i.body["cue"], i.body["condition"],
        i.body["resolution_criteria"], names["analyst"][i.body["analyst_id"]],
        *_words_of(i.body["actor_ids"], names["actor"], aliases),
        *_words_of(i.body["topic_ids"], names["topic"])))
        for i in data.predictions), len(rows))
    return len(rows)


def _rollups(w: _Writer, data: Plan, rows: list[dict[str, Any]]) -> None:
    """Score rollups for the stored predictions and the new ones, from scratch.

    The stored (seed) predictions are counted as the services count them
    (`rollups.contribution`); the new ones in memory, cell by cell, with the aggregate's
    own per-row rules (`row_cell`). `rollups.full_contribution` gives the same sums.
    """
    first = rows[0]["id"] if rows else 1 << 62
    cells: dict[rollups.Key, list[Any]] = {
        k: list(astuple(v))
        for k, v in rollups.contribution(w.session, col(Prediction.id) < first).items()}
    org_of = {i.id: i.body["organization_id"] or 0 for i in data.analysts}
    for row, item in zip(rows, data.predictions, strict=True):
        initial = row["probability"] if row["probability"] is not None else \
            row["implied_probability"]
        averaged = row["time_averaged_probability"]
        known = row["outcome_known_on"]
        groups = (("analyst", (row["analyst_id"],)), ("organization", (org_of[row["analyst_id"]],)),
                  ("topic", tuple(dict.fromkeys(item.body["topic_ids"]))),
                  ("actor", tuple(dict.fromkeys(item.body["actor_ids"]))),
                  ("year", (known.year if known else 0,)), ("all", (0,)))
        for choice, forecast in (("initial", initial),
                                 ("time_averaged", averaged if averaged is not None else initial)):
            cell, sums = row_cell(row["outcome"], row["condition_status"], forecast)
            values = (sums.n, sums.f, sums.ff, sums.o, sums.oo, sums.fo, sums.log)
            for dimension, group_keys in groups:
                for group in group_keys:
                    found = cells.get((dimension, choice, group, cell))
                    if found is None:
                        cells[(dimension, choice, group, cell)] = list(values)
                    else:
                        for n, v in enumerate(values):
                            found[n] += v
    w.session.execute(delete(ScoreRollup))
    w.rows("score_rollup", _table(ScoreRollup),
           ({"dimension": k[0], "choice": k[1], "group_key": k[2], "cell": k[3],
             **dict(zip(("n", "f", "ff", "o", "oo", "fo", "log"), v, strict=True))}
            for k, v in cells.items()), len(cells))


def _summarise(row: dict[str, Any], forecasts: list[dict[str, Any]], end: datetime) -> None:
    """The community median and the author's time average, as `refresh_forecast_summary`."""
    ordered = sorted(forecasts, key=lambda f: f["made_at"])
    current = [f["probability"] for f in ordered if f["valid_to"] is None]
    row["community_probability"] = statistics.median(current) if current else None
    row["time_averaged_probability"] = time_average(
        [(f["made_at"], f["probability"]) for f in ordered
         if f["forecaster_id"] == row["analyst_id"]], end)


def _link_ids(body: dict[str, Any], **links: Link) -> dict[str, list[int]]:
    """The row's own copies of its links, as the services store them."""
    return {name: stored_ids(link, body[name]) for name, link in links.items()}


def _links(w: _Writer, own: str, items: Sequence[Item],
           tables: Iterable[tuple[str, Any]]) -> int:
    total = 0
    for field_name, table in tables:
        other = table.name.split("_", 1)[1]
        rows = [{f"{own}_id": i.id, f"{other}_id": o}
                for i in items for o in dict.fromkeys(i.body[field_name])]
        w.rows(table.name, table, rows, len(rows))
        total += len(rows)
    return total


def _recommendations(w: _Writer, data: Plan, bodies: dict[int, str],
                     names: dict[str, dict[int, str]], aliases: dict[int, list[str]]) -> int:
    first = data.recommendations[0].id if data.recommendations else 0
    rows: list[dict[str, Any]] = []
    for item in data.recommendations:
        b = item.body
        plain = {k: v for k, v in b.items() if k not in ("quote", "actor_ids", "topic_ids")}
        rows.append({"id": item.id, **_stamp(item.at), **plain, **_quote(bodies, b["quote"]),
                     "status": "open", **_link_ids(b, actor_ids=recommendation_actors,
                                                   topic_ids=recommendation_topics)})
    changes: list[dict[str, Any]] = []
    next_change = _first_id(w.session, StatusChange)
    for item in data.status_changes:
        b = item.body
        changes.append({"id": next_change, "recommendation_id": item.id, **b,
                        "recorded_at": item.at})
        next_change += 1
        row = rows[item.id - first]
        row.update(status=b["status"], version=row["version"] + 1, updated_at=item.at)
    w.rows("recommendation", _table(Recommendation), rows, len(rows))
    _links(w, "recommendation", data.recommendations,
           (("actor_ids", recommendation_actor), ("topic_ids", recommendation_topic)))
    w.rows("status_change", _table(StatusChange), changes, len(changes))
    topics = names["topic"]
    w.index("recommendation", ((i.id, i.body["statement"], _join(
        rows[i.id - first]["quote_exact"], i.body["cue"],
        names["analyst"].get(i.body["analyst_id"]),
        names["organization"].get(i.body["organization_id"]),
        *_words_of([*i.body["actor_ids"], *([i.body["addressee_id"]]
                                            if i.body["addressee_id"] else [])],
                   names["actor"], aliases),
        *_words_of(i.body["topic_ids"], topics)))
        for i in data.recommendations), len(rows))
    return len(rows)


def _annotation_rows(w: _Writer, data: Plan, bodies: dict[int, str]) -> int:
    rows: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    index: list[tuple[int, str, str]] = []
    for item in data.annotations:
        b = item.body
        reply = b.get("reply_to_id")
        target = b.get("target") or {"type": "annotation", "id": reply}
        selector: dict[str, Any] = dict.fromkeys(
            ("selector_exact", "selector_start", "selector_end", "selector_prefix",
             "selector_suffix", "anchor_status"))
        if (sel := target.get("selector")) is not None:
            span = span_at(bodies[target["id"]], sel["start"], sel["end"])
            if span.exact != sel["exact"]:
                raise ValueError(f"selector does not match document {target['id']}")
            selector = {"selector_exact": span.exact, "selector_start": span.start,
                        "selector_end": span.end,
                        "selector_prefix": sel.get("prefix") or span.prefix,
                        "selector_suffix": sel.get("suffix") or span.suffix,
                        "anchor_status": span.status}
        motivation = b.get("motivation") or ("replying" if reply is not None else "commenting")
        rows.append({"id": item.id, "target_type": target["type"], "target_id": target["id"],
                     "reply_to_id": reply, "body": b["body"],
                     "body_format": b.get("format", "text/plain"), "motivation": motivation,
                     "author": item.author, **selector, **_stamp(item.at)})
        unique = sorted(dict.fromkeys(b.get("tags", [])))
        tags.extend({"annotation_id": item.id, "tag": t} for t in unique)
        index.append((item.id, " ".join(unique), _join(b["body"], selector["selector_exact"])))
    w.rows("annotation", _table(Annotation), rows, len(rows))
    w.rows("annotation_tag", _table(AnnotationTag), tags, len(tags))
    w.index("annotation", index, len(index))
    return len(rows)


def _first_id(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0) + 1


def first_ids(session: Session) -> dict[str, int]:
    """The id the next row of each table gets."""
    return {name: _first_id(session, model) for name, model in ID_TABLES.items()}


def finish(engine: Engine) -> None:
    """After a bulk load: sequences past the new ids (PostgreSQL), statistics, FTS merge."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO search_document(search_document) VALUES('optimize')")
        _pragma(engine, "ANALYZE")
        for pragma in ("synchronous=NORMAL", "cache_size=-2000", "temp_store=DEFAULT"):
            _pragma(engine, f"PRAGMA {pragma}")
        return
    with engine.begin() as conn:
        for model in ID_TABLES.values():
            table = model.__tablename__
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")


COUNTED = ("organization", "analyst", "document", "report", "actor", "topic", "prediction",
           "forecast", "resolution", "recommendation", "recommendation_status_change",
           "annotation", "search_document", "score_rollup")


def row_counts(engine: Engine) -> dict[str, int]:
    """How many rows the main tables hold."""
    with engine.connect() as conn:
        return {t: int(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one())
                for t in COUNTED}


def extra_predictions(session: Session, seed_slugs: set[str]) -> int:
    """How many stored predictions are not the seed article's."""
    stored = session.scalars(select(col(Prediction.slug))).all()
    return sum(1 for s in stored if s not in seed_slugs)


def stderr_progress() -> Progress:
    """A progress display on stderr: one line per table, updated in place on a terminal."""
    tty = sys.stderr.isatty()

    def show(label: str, done: int, total: int) -> None:
        pct = 100 if not total else done * 100 // total
        line = f"  {label:<24} {done:>10,} / {total:<10,} {pct:>3}%"
        if tty:
            sys.stderr.write("\r" + line)
            if done >= total:
                sys.stderr.write("\n")
        elif done >= total:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    return show
