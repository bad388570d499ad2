"""Organizations, the analysts who work for them, and the actors claims are about."""

from sqlalchemy import JSON, Column, ForeignKey, Integer
from sqlmodel import Field

from app.models.base import RecordBase


class Organization(RecordBase, table=True):
    """An institute, commission, government body or outlet."""

    name: str = Field(max_length=200)
    kind: str = Field(max_length=32)
    country: str | None = Field(default=None, max_length=2)
    url: str | None = Field(default=None, max_length=2000)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Analyst(RecordBase, table=True):
    """A person, or an explicit unnamed group such as "analysts"."""

    name: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    title: str | None = Field(default=None, max_length=200)
    organization_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("organization.id", ondelete="RESTRICT"), index=True),
    )


class Actor(RecordBase, table=True):
    """A state, person, organisation, group or place that claims are about."""

    name: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    country: str | None = Field(default=None, max_length=2)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Topic(RecordBase, table=True):
    """A subject that predictions and recommendations are tagged with."""

    name: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=4000)
