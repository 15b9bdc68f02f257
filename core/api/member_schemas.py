"""Shapes of personal records in the API. Update bodies forbid unknown fields, so role,
region or id can never be set through a body (no mass assignment)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from campagne.api.bounds import Id, Page, Version
from campagne.input_types import InputModel, IsoDate, not_nullable
from campagne.taxonomy import SECTORS_BY_SLUG

REQUIRED = {"first_name", "last_name", "sector", "status"}
StatusValue = Literal["settling", "settled", "left", "prospect", "declined"]


class MemberOut(BaseModel):
    """A member's record, for their region's staff and for themself."""

    id: int
    region: str
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    business_name: str | None
    siret: str | None
    naf_code: str | None
    sector: str
    commune: str | None
    origin_area: str | None
    origin_country: str
    arrival_date: dt.date | None
    left_on: dt.date | None
    status: str
    last_contact_at: dt.date | None
    consent_purpose: str | None
    consent_given_at: dt.datetime | None
    erased: bool
    version: int


class MemberPage(BaseModel):
    """One page of a member search."""

    total: int
    page: int
    per_page: int
    items: list[MemberOut]


BEFORE = ("Only records whose id is below this one: give the last id of the page read to get "
          "the next one (as fast at the millionth record as at the first; `page` counts "
          "from there). The total still counts every record that matches.")


class MemberSearch(InputModel):
    """Search criteria, sent in a body so that names never appear in a URL."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=100)
    sector: str | None = Field(default=None, max_length=40)
    commune: str | None = Field(default=None, max_length=120)
    status: StatusValue | None = None
    page: Page = 1
    per_page: int = Field(default=50, ge=1, le=200)
    before: Id | None = Field(default=None, description=BEFORE)


class SelfUpdate(InputModel):
    """What a member may correct about themself (``version`` as last read)."""

    model_config = ConfigDict(extra="forbid",
                              json_schema_extra=not_nullable(*REQUIRED))

    version: Version
    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    last_name: str | None = Field(default=None, min_length=1, max_length=100)
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    business_name: str | None = Field(default=None, max_length=200)
    commune: str | None = Field(default=None, max_length=120)

    @model_validator(mode="after")
    def _required_stay_set(self) -> SelfUpdate:
        """Fields the record cannot lack may be changed, not emptied."""
        for name in REQUIRED & self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be empty")
        return self


class StaffUpdate(SelfUpdate):
    """What staff may change on a record of their region."""

    siret: str | None = Field(default=None, pattern=r"^\d{14}$")
    naf_code: str | None = Field(default=None, max_length=6)
    sector: str | None = Field(default=None, max_length=40,
                               json_schema_extra={"enum": list(SECTORS_BY_SLUG)})
    status: StatusValue | None = None
    origin_area: str | None = Field(default=None, max_length=120)
    arrival_date: IsoDate | None = None
    left_on: IsoDate | None = None
    last_contact_at: IsoDate | None = None

    @field_validator("sector")
    @classmethod
    def _known_sector(cls, sector: str | None) -> str | None:
        """One of the taxonomy's sectors (an unknown one would break the record's link)."""
        if sector is not None and sector not in SECTORS_BY_SLUG:
            raise ValueError(f"unknown sector; one of: {', '.join(SECTORS_BY_SLUG)}")
        return sector


class TokenOut(BaseModel):
    """An OAuth2 bearer token."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type name
    expires_in: int


class ConsentIn(InputModel):
    """A consent to record: its purpose (the date is the server's)."""

    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(min_length=2, max_length=40, pattern=r"^[a-z][a-z0-9_]*$",
                         examples=["programme", "keep_application"])
