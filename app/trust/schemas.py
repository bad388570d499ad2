"""Shapes of API keys as clients see them (never the secret, but once at creation)."""

from datetime import datetime

from pydantic import Field

from app.schemas import Input, Output, text
from app.trust.keys import Role


class KeyCreate(Input):
    name: text(100, min_length=1) = Field(  # type: ignore[valid-type]
        description="Who holds the key; annotations it writes show this name as author.")
    role: Role = Field(description="reader, analyst, editor or admin.")


class KeyRead(Output):
    id: int
    name: str
    role: Role
    public_id: str = Field(description="The key's non-secret part, to tell keys apart.")
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None = Field(description="Updated at most once a minute.")
    version: int


class KeyCreated(KeyRead):
    key: str = Field(description="The key itself. It is shown only in this response; only "
                     "its hash is stored.")
