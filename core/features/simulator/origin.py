"""Where a candidate lives now: a département, or a commune found by name or postcode
(:mod:`campagne.communes`), which gives the département whose reference figures apply."""

from __future__ import annotations

from pydantic import BaseModel, Field

from campagne.communes import MAX_CANDIDATES, Commune, departments, find_communes, is_code


class StartingPoint(BaseModel):
    """The place a simulation starts from, as understood from the candidate's answers."""

    department: str = Field(description="INSEE code of the département")
    department_name: str
    prefecture: str
    commune_code: str | None = Field(default=None, description="INSEE code of the commune")
    commune: str | None = None
    postcode: str | None = Field(default=None, description="The postcode given, when it is "
                                 "shared by several communes of one département")


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
    ``department`` alone; ``None`` when neither is given. A postcode that several communes
    of one département share gives that département.

    :raises OriginError: the commune is unknown, or several communes match.
    """
    known = departments()
    if commune and commune.strip():
        query = commune.strip()
        found = find_communes(query, department if department in known else None)
        shared = {c.department for c in found}
        if len(found) > 1 and len(shared) == 1 and is_code(query):
            place = known[shared.pop()]  # a postcode of several communes: its département
            return StartingPoint(department=place.code, department_name=place.name,
                                 prefecture=place.prefecture, postcode=query)
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
