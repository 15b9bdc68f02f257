"""The privacy notice of each region (public)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from campagne.api.deps import InstanceDep
from campagne.features.meetups.privacy import GUEST_DAYS
from campagne.retention import rules
from campagne.web.pages import PageRegionDep, RendererDep

router = APIRouter(include_in_schema=False)


@router.get("/{slug}/privacy", response_class=HTMLResponse)
def privacy(request: Request, instance: InstanceDep, region: PageRegionDep,
            renderer: RendererDep) -> HTMLResponse:
    """Who holds which data, why, for how long, and how to use one's rights."""
    days = rules(instance.settings, region.slug)
    return renderer.render(request, "account/privacy.html",
                           {"days": days, "guest_days": GUEST_DAYS}, region=region,
                           page="privacy")
