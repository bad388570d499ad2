# mypy: disable-error-code="valid-type"
"""Field types shared by every request and response schema.

Strict where JSON is unambiguous (no `false` read as `0`, no number read as a date),
bounded everywhere, and unknown fields refused, so the OpenAPI schema says exactly
what the service accepts.
"""

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
)

from app.models.base import SLUG_PATTERN

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date_from_text(value: Any) -> Any:
    if isinstance(value, date) or (isinstance(value, str) and _DAY.fullmatch(value)):
        return value
    raise ValueError("dates are written as text: YYYY-MM-DD")


_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})")


def _instant_from_text(value: Any) -> Any:
    if isinstance(value, datetime) or (isinstance(value, str) and _INSTANT.fullmatch(value)):
        return value
    raise ValueError("times are written as text: YYYY-MM-DDTHH:MM:SS with a zone (Z or +hh:mm)")


def _whole_number(value: Any) -> Any:
    """JSON Schema's integer: 3 and 3.0 are integers, true and "3" are not."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be a whole number")
        return int(value)
    return value


NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL characters


def text(max_length: int, min_length: int = 0) -> Any:
    """A free-text string type: bounded, and without NUL characters."""
    return Annotated[
        str, StringConstraints(min_length=min_length, max_length=max_length, pattern=NO_NUL)
    ]


Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=120)]
Name = text(200, min_length=1)
Title = text(500, min_length=1)
ShortText = text(200)
Text = text(4000)
LongText = text(20_000)
Url = Annotated[
    str, StringConstraints(min_length=1, max_length=2000, pattern=r"^https?://[^\x00-\x20\x7f]+$")
]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Alias = text(200, min_length=1)
Aliases = Annotated[list[Alias], Field(max_length=50)]
MAX_ID = 2**31 - 1  # PostgreSQL INTEGER
Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_whole_number)]
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]  # query strings are text: "3" is an id there
IdList = Annotated[list[Id], Field(max_length=100)]
Offset = Annotated[int, Field(ge=0, le=10_000_000), BeforeValidator(_whole_number)]
Probability = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
Day = Annotated[date, BeforeValidator(_date_from_text), Field(json_schema_extra={"format": "date"})]
Instant = Annotated[AwareDatetime, BeforeValidator(_instant_from_text)]
Precision = Literal["day", "month", "year", "unknown"]
Ref = Annotated[
    str,
    StringConstraints(pattern=r"^(?:[0-9]{1,9}|[a-z0-9]+(?:-[a-z0-9]+)*)$", max_length=120),
]


class Input(BaseModel):
    """Base for request bodies: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


def _drop_null_defaults(schema: dict[str, Any]) -> None:
    for prop in schema.get("properties", {}).values():
        if prop.get("default", 0) is None and "anyOf" not in prop:
            prop.pop("default")


class Patch(BaseModel):
    """Base for PATCH bodies: every field optional, absent fields left alone.

    A field whose type is not nullable must not be sent as null; fields that may be
    cleared say so in their type.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra=_drop_null_defaults)

    def changes(self) -> dict[str, Any]:
        """The fields the client actually sent."""
        return self.model_dump(exclude_unset=True)


class Output(BaseModel):
    """Base for responses: defaulted fields are still listed as required in the schema."""

    model_config = ConfigDict(
        from_attributes=True, json_schema_serialization_defaults_required=True
    )


class RecordRead(Output):
    """Fields every record shows."""

    id: int
    slug: str
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Increases by one on every change.")


def sort_options(*names: str) -> Any:
    """A `sort` parameter type: each name ascending, or descending with a leading `-`."""
    return Literal[tuple(v for n in names for v in (n, f"-{n}"))]  # type: ignore[misc]


def include_options(*names: str) -> Any:
    """An `include` parameter type: a bounded list of related-record names."""
    return Annotated[list[Literal[names]], Field(max_length=len(names))]  # type: ignore[valid-type]


SearchText = Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class ListQuery(BaseModel):
    """Query parameters every list accepts."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=200, description="Page size (at most 200).")
    cursor: str | None = Field(
        default=None, max_length=1000, description="`next_cursor` of the previous page."
    )
    count: bool = Field(default=False, description="Also return `total`, the number of matches.")
    sort: sort_options("id", "created_at", "updated_at") = Field(
        default="id", description="Sort field; a leading `-` sorts descending."
    )
