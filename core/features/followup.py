"""The follow-up of members' projects: contacts, services delivered, advisors."""

from __future__ import annotations

from campagne.api import followup
from campagne.features import Feature
from campagne.hookspecs import hookimpl
from campagne.plugin_types import Routes
from campagne.web import followup_pages

FEATURE = Feature("followup")


@hookimpl
def app_routes() -> list[Routes]:
    """The follow-up API and the forms of the staff's member pages."""
    return [Routes(followup.router, order=112), Routes(followup_pages.router, order=405)]
