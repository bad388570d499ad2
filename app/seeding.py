"""Load the curated seed file: every record the seed article supports, quotes checked first."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlmodel import Session, col

from app import crud
from app.claims.service import predictions, recommendations
from app.crud import Resource
from app.directory.service import actors, analysts, organizations, topics
from app.errors import AppError
from app.sources.service import documents, events, reports
from app.trust import audit

# Load order, and for each section: YAML key -> (body field, section it refers to).
SECTIONS: dict[str, tuple[Resource, dict[str, tuple[str, str]]]] = {
    "organizations": (organizations, {}),
    "analysts": (analysts, {"organization": ("organization_id", "organizations")}),
    "documents": (documents, {"outlet": ("outlet_id", "organizations")}),
    "reports": (reports, {
        "publisher": ("publisher_id", "organizations"), "authors": ("author_ids", "analysts"),
        "documents": ("document_ids", "documents"),
    }),
    "actors": (actors, {}),
    "topics": (topics, {}),
    "events": (events, {"actors": ("actor_ids", "actors"), "topics": ("topic_ids", "topics")}),
    "predictions": (predictions, {
        "report": ("report_id", "reports"), "analyst": ("analyst_id", "analysts"),
        "actors": ("actor_ids", "actors"), "topics": ("topic_ids", "topics"),
        "events": ("event_ids", "events"),
    }),
    "recommendations": (recommendations, {
        "report": ("report_id", "reports"), "analyst": ("analyst_id", "analysts"),
        "organization": ("organization_id", "organizations"),
        "addressee": ("addressee_id", "actors"), "actors": ("actor_ids", "actors"),
        "topics": ("topic_ids", "topics"),
    }),
}


class SeedError(Exception):
    """The seed file is wrong; nothing was written."""


@dataclass
class SeedReport:
    """What a seed run did, section by section: (created, already present)."""

    counts: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def created(self) -> int:
        return sum(c for c, _ in self.counts.values())


def read_seed(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Parse the seed file, read document bodies, and check every quote against its text."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SeedError(f"cannot read {path.name}: {exc}") from exc
    if not isinstance(data, dict) or set(data) - set(SECTIONS):
        raise SeedError(f"{path.name}: expected the sections {', '.join(SECTIONS)}")
    seed = {name: list(data.get(name) or []) for name in SECTIONS}
    for doc in seed["documents"]:
        doc["body"] = _read_body(path.parent / str(doc.pop("file", "")), doc.get("slug"))
    _check_quotes(seed)
    return seed


def _read_body(path: Path, slug: Any) -> str:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return fh.read()
    except OSError as exc:
        raise SeedError(f"documents/{slug}: cannot read {path.name}: {exc}") from exc


def _check_quotes(seed: dict[str, list[dict[str, Any]]]) -> None:
    bodies = {d.get("slug"): d["body"] for d in seed["documents"]}
    for section in ("predictions", "recommendations"):
        for record in seed[section]:
            quote = record.get("quote")
            if not quote:
                continue
            where = f"{section}/{record.get('slug')}"
            body = bodies.get(quote.get("document"))
            if body is None:
                raise SeedError(f"{where}: quote names unknown document {quote.get('document')!r}")
            start, end = quote.get("start"), quote.get("end")
            if not isinstance(start, int) or not isinstance(end, int):
                raise SeedError(f"{where}: quote start and end must be integers")
            if body[start:end] != quote.get("exact"):
                raise SeedError(
                    f"{where}: quote text does not match the document at {start}..{end}: "
                    f"expected {quote.get('exact')!r}, found {body[start:end]!r}"
                )


def load_seed(
    session: Session, seed: dict[str, list[dict[str, Any]]],
    progress: Callable[[str, int, int], None] | None = None,
) -> SeedReport:
    """Create every seed record not already present (by slug); flushes, never commits."""
    ids: dict[str, dict[str, int]] = {}
    report = SeedReport()
    for name, (resource, refs) in SECTIONS.items():
        ids[name] = {}
        created = present = 0
        for record in seed[name]:
            slug = str(record.get("slug"))
            model = resource.model
            existing = session.scalar(select(col(model.id)).where(col(model.slug) == slug))
            if existing is not None:
                ids[name][slug] = existing
                present += 1
                continue
            body = _body(name, record, refs, ids)
            try:
                row = crud.create(session, resource, resource.create.model_validate(body))
            except (ValidationError, AppError) as exc:
                raise SeedError(f"{name}/{slug}: {exc}") from exc
            ids[name][slug] = row.id  # type: ignore[attr-defined]
            audit.record(session, None, resource.singular, row.id,  # type: ignore[attr-defined]
                         "create", None, row, actor="seed")
            created += 1
        report.counts[name] = (created, present)
        if progress:
            progress(name, created, present)
    return report


def _body(
    section: str, record: dict[str, Any], refs: dict[str, tuple[str, str]],
    ids: dict[str, dict[str, int]],
) -> dict[str, Any]:
    body = {k: v for k, v in record.items() if k not in refs}
    for key, (target, other) in refs.items():
        value = record.get(key)
        body[target] = (
            [_lookup(section, record, other, v, ids) for v in value]
            if isinstance(value, list) else
            None if value is None else _lookup(section, record, other, value, ids)
        )
    if isinstance(body.get("quote"), dict):
        quote = dict(body["quote"])
        quote["document_id"] = _lookup(section, record, "documents", quote.pop("document"), ids)
        body["quote"] = quote
    return body


def _lookup(
    section: str, record: dict[str, Any], other: str, slug: Any, ids: dict[str, dict[str, int]]
) -> int:
    try:
        return ids[other][slug]
    except KeyError:
        raise SeedError(
            f"{section}/{record.get('slug')}: refers to unknown {other} {slug!r}"
        ) from None


def is_empty(session: Session) -> bool:
    """True when no document, report or prediction is stored yet."""
    return not any(
        session.scalar(select(func.count()).select_from(r.model))
        for r in (documents, reports, predictions)
    )
