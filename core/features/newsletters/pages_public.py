"""``/{slug}/newsletters/unsubscribe?token=...``: the link of every newsletter e-mail, which
works without signing in. Opening it shows a button (so that a mail scanner following links
unsubscribes no one); posting to it unsubscribes, whether the page's button or the mail
client does it (RFC 8058 one-click: ``List-Unsubscribe=One-Click`` in the body, no cookie,
no form token; the link's secret is the authority). A forged secret is refused."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.security import client_address
from campagne.features.newsletters.mail import ONE_CLICK
from campagne.features.newsletters.models import Subscription
from campagne.features.newsletters.tokens import token_subject
from campagne.features.newsletters.unsubscribing import Outcome, unsubscribe
from campagne.models import utc_now
from campagne.plugin_data import region_id_of
from campagne.regions import RegionFolder
from campagne.web.pages import PageRegionDep, RendererDep

router = APIRouter(include_in_schema=False)
PATH = "/{slug}/newsletters/unsubscribe"
Token = Annotated[str, Query(max_length=100)]


def _page(request: Request, renderer: RendererDep, region: RegionFolder,
          context: dict[str, Any], status: int = 200) -> HTMLResponse:
    request.state.private = True  # the address holds a secret: never cached
    return renderer.render(request, "newsletters/unsubscribe.html", {
        "state": None, "token": "", "one_click": ONE_CLICK, **context}, region=region,
        page="newsletter_unsubscribe", status_code=status)


@router.get(PATH, response_class=HTMLResponse)
def unsubscribe_form(request: Request, instance: InstanceDep, session: SessionDep,
                     region: PageRegionDep, renderer: RendererDep,
                     token: Token = "", done: str = "") -> HTMLResponse:
    """What the link does, and the button that does it (already done: says so; after the
    page's button, ``done=1``, says that it is recorded)."""
    subject = token_subject(instance.settings, token)
    if subject is None:
        return _page(request, renderer, region, {"state": "invalid"}, 400)
    subscription = session.get(Subscription, subject[0])
    over = subscription is None or subscription.unsubscribed_at is not None \
        or subscription.region_id != region_id_of(session, region.slug)
    state = ("unsubscribed" if done == "1" else "done") if over else "confirm"
    return _page(request, renderer, region, {"state": state, "token": token})


@router.post(PATH, response_class=HTMLResponse)
def unsubscribe_now(request: Request, instance: InstanceDep, session: SessionDep,
                    region: PageRegionDep, renderer: RendererDep,
                    token: Token = "", from_page: Annotated[str, Form(max_length=1)] = ""
                    ) -> Response:
    """Unsubscribe (again: nothing changes); 400 for a forged secret. The page's button
    (``from_page``) goes on to the link's page, which says it is done; a mail client's
    one-click POST gets the answer itself (it follows no redirect)."""
    subject = token_subject(instance.settings, token)
    if subject is None:
        return _page(request, renderer, region, {"state": "invalid"}, 400)
    outcome = unsubscribe(session, region.slug, region_id_of(session, region.slug), *subject,
                          now=utc_now(), address=client_address(request))
    if from_page:
        query = urlencode({"token": token, "done": "1"})
        return RedirectResponse(f"/{region.slug}/newsletters/unsubscribe?{query}",
                                status_code=303)
    return _page(request, renderer, region, {
        "state": "unsubscribed" if outcome is Outcome.UNSUBSCRIBED else "done"})
