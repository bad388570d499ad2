# mypy: disable-error-code="valid-type"
"""Request and response shapes for organizations, analysts, actors and topics."""

from typing import Literal

from pydantic import Field

from app.schemas import (
    Aliases,
    Country,
    Id,
    Input,
    ListQuery,
    Name,
    Patch,
    RecordRead,
    Ref,
    SearchText,
    ShortText,
    Slug,
    Text,
    Url,
    include_options,
    sort_options,
)

OrganizationKind = Literal[
    "institute", "commission", "government", "legislature", "outlet", "intergovernmental", "other"
]
AnalystKind = Literal["person", "group"]
ActorKind = Literal["state", "person", "organization", "group", "place"]


class OrganizationCreate(Input):
    slug: Slug | None = Field(default=None, description="Generated from the name when left out.")
    name: Name
    kind: OrganizationKind
    country: Country | None = Field(default=None, description="ISO 3166-1 alpha-2 code.")
    url: Url | None = None
    aliases: Aliases = Field(default_factory=list, description="Other names it goes by.")


class OrganizationUpdate(Patch):
    slug: Slug = None  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]
    kind: OrganizationKind = None  # type: ignore[assignment]
    country: Country | None = None
    url: Url | None = None
    aliases: Aliases = None  # type: ignore[assignment]


class OrganizationRead(RecordRead):
    name: str
    kind: str
    country: str | None
    url: str | None
    aliases: list[str]


class OrganizationQuery(ListQuery):
    kind: OrganizationKind | None = None
    country: Country | None = None
    sort: sort_options("id", "name", "created_at", "updated_at") = "id"


class AnalystCreate(Input):
    slug: Slug | None = Field(default=None, description="Generated from the name when left out.")
    name: Name
    kind: AnalystKind = Field(default="person", description="`group` for unnamed analysts.")
    title: ShortText | None = None
    organization_id: Id | None = None


class AnalystUpdate(Patch):
    slug: Slug = None  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]
    kind: AnalystKind = None  # type: ignore[assignment]
    title: ShortText | None = None
    organization_id: Id | None = None


class AnalystRead(RecordRead):
    name: str
    kind: str
    title: str | None
    organization_id: int | None
    organization: OrganizationRead | None = Field(
        default=None, description="With `include=organization`."
    )


class AnalystQuery(ListQuery):
    q: SearchText | None = Field(default=None, description="Full-text search (see /v1/search).")
    organization: Ref | None = Field(default=None, description="Organization id or slug.")
    kind: AnalystKind | None = None
    sort: sort_options("id", "name", "created_at", "updated_at") = "id"
    include: include_options("organization") = []


class ActorCreate(Input):
    slug: Slug | None = Field(default=None, description="Generated from the name when left out.")
    name: Name
    kind: ActorKind
    country: Country | None = None
    aliases: Aliases = Field(default_factory=list, description="E.g. Pyongyang for North Korea.")


class ActorUpdate(Patch):
    slug: Slug = None  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]
    kind: ActorKind = None  # type: ignore[assignment]
    country: Country | None = None
    aliases: Aliases = None  # type: ignore[assignment]


class ActorRead(RecordRead):
    name: str
    kind: str
    country: str | None
    aliases: list[str]


class ActorQuery(ListQuery):
    q: SearchText | None = Field(default=None, description="Full-text search (see /v1/search).")
    kind: ActorKind | None = None
    country: Country | None = None
    sort: sort_options("id", "name", "created_at", "updated_at") = "id"


class TopicCreate(Input):
    slug: Slug | None = Field(default=None, description="Generated from the name when left out.")
    name: Name
    description: Text | None = None


class TopicUpdate(Patch):
    slug: Slug = None  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]
    description: Text | None = None


class TopicRead(RecordRead):
    name: str
    description: str | None


class TopicQuery(ListQuery):
    sort: sort_options("id", "name", "created_at", "updated_at") = "id"
