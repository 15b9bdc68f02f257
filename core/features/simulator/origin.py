"""Where a candidate lives now: a département, or a commune found by name or postcode
(:mod:`campagne.communes`), which gives the département whose reference figures apply."""

from __future__ import annotations

from pydantic import BaseModel, Field

from campagne.communes import MAX_CANDIDATES, Commune, departments, find_communes


class StartingPoint(BaseModel):
    """The place a simulation starts from, as understood from the candidate's answers."""

    department: str = Field(description="INSEE code of the département")
    department_name: str
    prefecture: str
    commune_code: str | None = Field(default=None, description="INSEE code of the commune")
    commune: str | None = None


class OriginError(ValueError):
    """The commune given is unknown (no ``candidates``) or names several communes."""

    def __init__(self, query: str, candidates: list[Commune]) -> None:
        self.query = query
        self.candidates = candidates
        names = ", ".join(c.label for c in candidates)
        super().__init__(f"'{query}' names several communes: {names}; add the département, "
                         f"such as '{candidates[0].label}'" if candidates
                         else f"no commune matches '{query}' (a name or a postcode)")


def resolve_origin(commune: str | None, department: str | None) -> StartingPoint | None:
    """The starting point of ``commune`` (looked for in ``department`` when given), or of
    ``department`` alone; ``None`` when neither is given.

    :raises OriginError: the commune is unknown, or several communes match.
    """
    known = departments()
    if commune and commune.strip():
        query = commune.strip()
        found = find_communes(query, department if department in known else None)
        if len(found) != 1:
            raise OriginError(query, found[:MAX_CANDIDATES])
        place = known[found[0].department]
        return StartingPoint(department=place.code, department_name=place.name,
                             prefecture=place.prefecture, commune_code=found[0].code,
                             commune=found[0].name)
    if department in known:
        place = known[department]
        return StartingPoint(department=place.code, department_name=place.name,
                             prefecture=place.prefecture)
    return None
