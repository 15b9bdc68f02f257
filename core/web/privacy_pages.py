"""The privacy notice of each region (public)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from campagne.api.deps import InstanceDep, SessionDep
from campagne.retention import rules
from campagne.web.pages import PageRegionDep, RendererDep

router = APIRouter(include_in_schema=False)


@router.get("/{slug}/privacy", response_class=HTMLResponse)
def privacy(request: Request, instance: InstanceDep, session: SessionDep,
            region: PageRegionDep, renderer: RendererDep) -> HTMLResponse:
    """Who holds which data, why, for how long, and how to use one's rights; each feature
    and plug-in of the region says what else it keeps (hook ``page_panels``, page
    ``privacy``: one list item each)."""
    context: dict[str, Any] = {"days": rules(instance.settings, region.slug)}
    context["panels"] = renderer.panels(request, "privacy", region, session, None, context)
    return renderer.render(request, "account/privacy.html", context, region=region,
                           page="privacy")
