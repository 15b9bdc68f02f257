"""Authorization matrix entries for milestones and services delivered to members
(see test_authorization_matrix.py).

``PROTECTED`` maps (method, path) to the status expected per caller (``ROLES`` of
accounts_kit); ``PUBLIC_EXPECTED`` lists public routes that refuse a bare request, with the
status; ``BODIES`` gives the body sent; ``samples`` creates the rows the paths need and returns
the values of their path parameters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accounts_kit import ROLES
from sqlmodel import Session, select

from campagne.features.followup.models import Milestone
from campagne.models import Service, ServiceUse

A, M, SG, RG, SO, AD = ROLES
API = "/api/v1/regions/{slug}/members/{member_id}"
PAGES = "/{slug}/staff/members/{member_id}"
READ = {A: 401, M: 403, SG: 200, RG: 200, SO: 403, AD: 200}


def _write(staff: int, admin: int, anonymous: int = 401) -> dict[str, int]:
    """Writers of the Gers get ``staff`` then ``admin`` (in that order: the administrator
    repeats what the staff member did); everyone else is refused."""
    return {A: anonymous, M: 403, SG: staff, RG: 403, SO: 403, AD: admin}


PROTECTED: dict[tuple[str, str], dict[str, int]] = {
    ("GET", f"{API}/follow-up"): READ,
    ("POST", f"{API}/milestones"): _write(201, 409),  # the same milestone twice
    ("PATCH", f"{API}/milestones/{{milestone_id}}"): _write(200, 200),
    ("DELETE", f"{API}/milestones/{{milestone_id}}"): _write(204, 404),  # already removed
    ("POST", f"{API}/services"): _write(201, 201),
    ("DELETE", f"{API}/services/{{service_use_id}}"): _write(204, 404),
    # Pages answer with the record's page and a notice; a removal is idempotent.
    ("POST", f"{PAGES}/milestones"): _write(303, 303, 303),
    ("POST", f"{PAGES}/milestones/{{milestone_id}}/delete"): _write(303, 303, 303),
    ("POST", f"{PAGES}/services"): _write(303, 303, 303),
    ("POST", f"{PAGES}/services/{{service_use_id}}/delete"): _write(303, 303, 303),
}
PUBLIC_EXPECTED: dict[tuple[str, str], int] = {}
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", f"{API}/milestones"): {"kind": "business_plan", "reached_on": "2024-01-15"},
    ("PATCH", f"{API}/milestones/{{milestone_id}}"): {"note": "checked"},
    ("POST", f"{API}/services"): {"service": "coworking", "used_on": "2024-01-15"},
    ("POST", f"{PAGES}/milestones"): {"kind": "financing", "reached_on": "2024-01-15"},
    ("POST", f"{PAGES}/services"): {"service": "coworking", "used_on": "2024-01-15"},
    ("POST", f"{PAGES}/milestones/{{milestone_id}}/delete"): {"confirm": "yes"},
    ("POST", f"{PAGES}/services/{{service_use_id}}/delete"): {"confirm": "yes"},
}


def samples(session: Session, gers_id: int, member_id: int) -> dict[str, str]:
    """Sample rows in the Gers (``gers_id``) for the paths of this area; ``member_id`` is a
    Gers member without an account."""
    for demo in session.exec(select(Milestone).where(Milestone.member_id == member_id)):
        session.delete(demo)  # the demo's, so that the first one recorded is new
    session.flush()
    service = session.exec(select(Service).where(Service.region_id == gers_id)).first()
    assert service is not None and service.id is not None
    milestone = Milestone(member_id=member_id, kind="workspace_found",
                          reached_on=dt.date(2023, 6, 1))
    use = ServiceUse(member_id=member_id, service_id=service.id, used_on=dt.date(2023, 6, 1))
    session.add_all([milestone, use])
    session.flush()
    return {"milestone_id": str(milestone.id), "service_use_id": str(use.id)}
