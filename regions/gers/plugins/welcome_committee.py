"""The welcome committee of the Gers: every newcomer is paired with a volunteer ambassador,
a member who settled before them.

The settings list the ambassadors by member id, never by name: staff add a member here
once the member has agreed to welcome newcomers (a consent of purpose ``welcome_committee``,
recorded with ``POST /api/v1/regions/gers/members/{id}/consents``).
When a member joins (an inquiry is converted) the plug-in chooses an ambassador of the same
sector if there is one, else one who welcomes every sector, else anyone; among those it
takes turns by member id, so the choice needs no stored state and is the same on every
server. It writes nothing itself: it returns a timeline note naming the ambassador, which
the core records on the newcomer's history. When the member settles, a second note says
that the same ambassador remains their contact.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from campagne.toolkit import SECTORS_BY_SLUG, LocalizedText, MemberEvent, TimelineNote, hookimpl


class Ambassador(BaseModel):
    """A volunteer, by member id, with the sectors they welcome (none: every sector)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    member: int = Field(ge=1, description="The volunteer's member id (no name in YAML)")
    sectors: tuple[str, ...] = ()
    area: LocalizedText | None = Field(default=None, description="Where they welcome people")

    @field_validator("sectors")
    @classmethod
    def _known_sectors(cls, sectors: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [sector for sector in sectors if sector not in SECTORS_BY_SLUG]
        if unknown:
            raise ValueError(f"unknown sector(s): {', '.join(unknown)}; known: "
                             f"{', '.join(sorted(SECTORS_BY_SLUG))}")
        return sectors


class Settings(BaseModel):
    """Settings of the welcome committee plug-in, in ``region.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    ambassadors: tuple[Ambassador, ...]

    @field_validator("ambassadors")
    @classmethod
    def _once_each(cls, ambassadors: tuple[Ambassador, ...]) -> tuple[Ambassador, ...]:
        if not ambassadors:
            raise ValueError("list at least one ambassador")
        ids = [ambassador.member for ambassador in ambassadors]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"member(s) listed twice: {', '.join(map(str, twice))}")
        return ambassadors


def pair(settings: Settings, member_id: int, sector: str | None) -> Ambassador | None:
    """The ambassador of a newcomer: same sector first, then generalists, then anyone;
    in turn by member id; never the newcomer themself."""
    others = [a for a in settings.ambassadors if a.member != member_id]
    same = [a for a in others if sector is not None and sector in a.sectors]
    generalists = [a for a in others if not a.sectors]
    pool = same or generalists or others
    return pool[member_id % len(pool)] if pool else None


@hookimpl
def on_member_event(settings: Settings, event: MemberEvent) -> list[TimelineNote] | None:
    """Pair a member who joins; remind who their ambassador is when they settle."""
    if event.kind not in ("joined", "settled"):
        return None
    ambassador = pair(settings, event.member_id, event.sector)
    if ambassador is None:
        return None
    matched = event.sector is not None and event.sector in ambassador.sectors
    if event.kind == "joined":
        summary = {"fr": "Comité d'accueil : jumelé avec un ambassadeur bénévole"
                         + (" du même secteur." if matched else "."),
                   "en": "Welcome committee: paired with a volunteer ambassador"
                         + (" of the same sector." if matched else ".")}
    else:
        summary = {"fr": "Comité d'accueil : installé ; son ambassadeur bénévole reste "
                         "son contact.",
                   "en": "Welcome committee: settled; their volunteer ambassador remains "
                         "their contact."}
    return [TimelineNote(summary=summary, detail=ambassador.area,
                         related_member_id=ambassador.member)]
