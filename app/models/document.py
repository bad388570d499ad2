"""Source texts, the reports they describe, and dated events."""

from datetime import date

from sqlalchemy import Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from app.models.base import RecordBase, linked_ids


class Document(RecordBase, table=True):
    """A source text exactly as received; quotes point into `body` by code-point offsets."""

    title: str = Field(max_length=500)
    outlet_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("organization.id", ondelete="RESTRICT"), index=True),
    )
    url: str | None = Field(default=None, max_length=2000)
    published_on: date | None = None
    published_precision: str = Field(default="unknown", max_length=8)
    language: str = Field(default="en", max_length=16)
    body: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str = Field(max_length=64, index=True)


class Report(RecordBase, table=True):
    """An analytic publication by an organization and its authors."""

    title: str = Field(max_length=500)
    publisher_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("organization.id", ondelete="RESTRICT"), index=True),
    )
    published_on: date | None = Field(default=None, index=True)
    published_precision: str = Field(default="unknown", max_length=8)
    published_wording: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=2000)
    summary: str | None = Field(default=None, sa_column=Column(Text))
    author_ids: list[int] = linked_ids()
    document_ids: list[int] = linked_ids()


class ReportAuthor(SQLModel, table=True):
    """An analyst's authorship of a report, in byline order."""

    __tablename__ = "report_author"
    report_id: int = Field(
        sa_column=Column(Integer, ForeignKey("report.id", ondelete="CASCADE"), primary_key=True)
    )
    analyst_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("analyst.id", ondelete="RESTRICT"), primary_key=True, index=True
        )
    )
    position: int = Field(default=0)


class ReportDocument(SQLModel, table=True):
    """A document that describes (or is the text of) a report."""

    __tablename__ = "report_document"
    report_id: int = Field(
        sa_column=Column(Integer, ForeignKey("report.id", ondelete="CASCADE"), primary_key=True)
    )
    document_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("document.id", ondelete="RESTRICT"), primary_key=True, index=True
        )
    )


class Event(RecordBase, table=True):
    """Something that happened (or is due to happen), dated with a precision."""

    name: str = Field(max_length=300)
    description: str | None = Field(default=None, max_length=4000)
    starts_on: date | None = Field(default=None, index=True)
    ends_on: date | None = None
    date_precision: str = Field(default="unknown", max_length=8)
    date_wording: str | None = Field(default=None, max_length=200)
    actor_ids: list[int] = linked_ids()
    topic_ids: list[int] = linked_ids()
