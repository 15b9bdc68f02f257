"""Public meetup pages: the region's listing, one meetup with its places left and the
sign-up form, and the page a guest's cancellation link opens. The same pages answer under
the French names (``/{slug}/rencontres``, canonical) and the English ones
(``/{slug}/meetups``); see docs/decisions/0011-meetup-pages-and-calendars.md."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from campagne.api.bounds import Id
from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.security import client_address
from campagne.auth.access import Principal
from campagne.auth.models import Role
from campagne.features.meetups import actions
from campagne.features.meetups.api import context
from campagne.features.meetups.calendar import MEDIA_TYPE, calendar
from campagne.features.meetups.mail import CONFIRMATION, cancel_token, token_registration
from campagne.features.meetups.models import Meetup, Registration
from campagne.features.meetups.rules import (
    AlreadyRegistered,
    CancellationClosed,
    MeetupError,
    SignUpClosed,
    region_id_of,
    region_meetup,
    waiting_position,
)
from campagne.features.meetups.signups import TooManySignUps, own_member_id, resolve
from campagne.features.meetups.views import (
    MeetupSummary,
    region_meetups,
    summaries,
    summary,
    when_text,
)
from campagne.i18n import gettext
from campagne.i18n_markers import N_
from campagne.regions import RegionFolder
from campagne.web.pages import PageRegionDep, RendererDep
from campagne.web.sessions import (
    CSRF_CHECKED,
    PRE_CSRF,
    MaybePrincipalDep,
    optional_principal,
    pre_session_token,
    set_cookie,
)

router = APIRouter(include_in_schema=False)
#: (listing, sign-up, cancellation) path names per language; French is canonical.
NAMES = {"fr": ("rencontres", "inscription", "annulation"),
         "en": ("meetups", "sign-up", "cancel")}
Text = Annotated[str, Form(max_length=200)]
#: The refusal to cancel a sign-up once the meetup has started (API: 409 as well).
STARTED = N_("This meetup has started: the sign-up can no longer be cancelled.")
SIGNED_IN_FIRST = Depends(optional_principal)  # so that CSRF is checked against the session


def listing_path(region_slug: str, locale: str) -> str:
    """The listing's address in ``locale``."""
    return f"/{region_slug}/{NAMES.get(locale, NAMES['fr'])[0]}"


def _base(request: Request) -> str:
    """The listing path the request came through (French or English name)."""
    return "/".join(request.url.path.split("/")[:3])


def _names(request: Request) -> tuple[str, str, str]:
    return NAMES["en"] if _base(request).endswith("/meetups") else NAMES["fr"]


def _page(request: Request, renderer: RendererDep, region: RegionFolder, template: str,
          context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """Render with a form token: the session's when signed in, else a double-submit one."""
    token = getattr(request.state, "csrf_token", None) or pre_session_token(request)
    names = _names(request)
    response = renderer.render(request, template, {
        **context, "csrf": token, "base": _base(request), "sign_up_name": names[1],
        "when": when_text,
        "cancel_name": names[2]}, region=region, page="meetups", status_code=status)
    if not getattr(request.state, "csrf_token", None):
        set_cookie(request, response, PRE_CSRF, token)
    return response


def listing(request: Request, region: PageRegionDep, session: SessionDep,
            renderer: RendererDep) -> HTMLResponse:
    """Upcoming meetups, then those of the last three months."""
    items = summaries(session, region_meetups(session, region_id_of(session, region.slug)))
    return renderer.render(request, "meetups/list.html", {
        "upcoming": [i for i in items if not i.past], "recent": [i for i in items if i.past][::-1],
        "base": _base(request), "when": when_text}, region=region, page="meetups")


def _meetup(session: Session, region: RegionFolder, event_id: int) -> Meetup:
    meetup = region_meetup(session, region_id_of(session, region.slug), event_id)
    if meetup is None:
        raise HTTPException(status_code=404, detail=gettext("This meetup does not exist."))
    return meetup


def detail(request: Request, region: PageRegionDep, session: SessionDep,
           renderer: RendererDep, principal: MaybePrincipalDep, event_id: Id) -> HTMLResponse:
    """One meetup: theme, time, place, places left, and how to sign up."""
    item = summary(session, _meetup(session, region, event_id))
    return _page(request, renderer, region, "meetups/detail.html", {
        "item": item, "member": own_member_id(session, principal, region.slug) is not None,
        "error": None, "values": {}})


def sign_up(request: Request, instance: InstanceDep, region: PageRegionDep,
            session: SessionDep, renderer: RendererDep, tasks: BackgroundTasks,
            event_id: Id, name: Text = "", email: Text = "", website: Text = ""
            ) -> Response:
    """A signed-in member of the region is signed up at once; anyone else as a guest with
    a name and an e-mail address; then on to the sign-up's confirmation page. ``website``
    is a trap for robots (hidden from people)."""
    principal: Principal | None = getattr(request.state, "page_principal", None)
    item = summary(session, _meetup(session, region, event_id))
    values = {"name": name, "email": email}
    confirmation = request.url.path
    if website:  # filled by a robot: say nothing useful, keep nothing
        return RedirectResponse(confirmation, status_code=303)
    error = _guest_error(name, email) if own_member_id(
        session, principal, region.slug) is None else None
    if error:
        return _detail_error(request, renderer, region, session, principal, item, error,
                             values, 422)
    try:
        member = principal if principal and principal.role is Role.MEMBER else None
        who = resolve(session, instance.settings, member, region.slug, client_address(request),
                      member_id=None, guest_name=name or None, guest_email=email or None)
        registration = actions.sign_up(context(request, instance, region, session, tasks),
                                       event_id, who, member)
    except MeetupError as exc:
        session.rollback()
        answer = _detail_error(request, renderer, region, session, principal, item,
                               _message(exc), values, _status(exc))
        if isinstance(exc, TooManySignUps):
            answer.headers["Retry-After"] = str(exc.retry_after)
        return answer
    assert registration.id is not None
    query = {"r": cancel_token(instance.settings, registration.id, CONFIRMATION)}
    if "lang" in request.query_params:  # the language asked, kept for the next page
        query["lang"] = request.query_params["lang"][:5]
    return RedirectResponse(f"{confirmation}?{urlencode(query)}", status_code=303)


def signed_up(request: Request, instance: InstanceDep, region: PageRegionDep,
              session: SessionDep, renderer: RendererDep, event_id: Id, r: str = ""
              ) -> HTMLResponse:
    """Where a sign-up leads: what became of it (confirmed, waiting), read afresh at each
    visit, and the meetup as a calendar file. ``r`` is an opaque secret naming the sign-up
    (no name, no address); without a valid one, a plain thank-you."""
    request.state.private = True
    item = summary(session, _meetup(session, region, event_id))
    registration_id = token_registration(instance.settings, r[:100], CONFIRMATION)
    registration = session.get(Registration, registration_id) if registration_id else None
    if registration is None or registration.meetup_id != event_id:
        return _page(request, renderer, region, "meetups/signed_up.html",
                     {"item": item, "status": None, "position": None})
    return _page(request, renderer, region, "meetups/signed_up.html", {
        "item": item, "status": registration.status,
        "position": waiting_position(session, registration)})


def _guest_error(name: str, email: str) -> str | None:
    if not name.strip():
        return gettext("Give your name.")
    if "@" not in email or "." not in email.rsplit("@", 1)[-1] or " " in email.strip():
        return gettext("Give a valid e-mail address.")
    return None


def _message(exc: MeetupError) -> str:
    if isinstance(exc, AlreadyRegistered):
        return gettext("You are already signed up for this meetup.")
    if isinstance(exc, SignUpClosed):
        return gettext("Sign-ups to this meetup are closed.")
    if isinstance(exc, TooManySignUps):
        return exc.message  # says what was limited and for how long
    return gettext("The sign-up could not be recorded.")


def _status(exc: MeetupError) -> int:
    if isinstance(exc, TooManySignUps):
        return 429
    return 409 if isinstance(exc, AlreadyRegistered | SignUpClosed) else 422


def _detail_error(request: Request, renderer: RendererDep, region: RegionFolder,
                  session: Session, principal: Principal | None, item: MeetupSummary,
                  error: str, values: dict[str, str], status: int) -> HTMLResponse:
    return _page(request, renderer, region, "meetups/detail.html", {
        "item": summary(session, item.meetup),
        "member": own_member_id(session, principal, region.slug) is not None,
        "error": error, "values": values}, status)


def _by_link(session: Session, instance: InstanceDep, region: RegionFolder,
             token: str) -> Registration | None:
    """The guest sign-up a cancellation secret was made for, in this region."""
    registration_id = token_registration(instance.settings, token)
    registration = session.get(Registration, registration_id) if registration_id else None
    if registration is None or registration.member_id is not None:
        return None
    meetup = region_meetup(session, region_id_of(session, region.slug), registration.meetup_id)
    return registration if meetup is not None else None


def cancel_form(request: Request, instance: InstanceDep, region: PageRegionDep,
                session: SessionDep, renderer: RendererDep, token: str = "") -> HTMLResponse:
    """What the link cancels, and a button to confirm (a link alone changes nothing, so
    that a mail scanner opening it does no harm)."""
    request.state.private = True
    registration = _by_link(session, instance, region, token[:100])
    if registration is None:
        return _page(request, renderer, region, "meetups/cancel.html",
                     {"item": None, "token": "", "done": False}, 400)
    item = summary(session, _meetup(session, region, registration.meetup_id))
    done = registration.status == "cancelled"
    return _page(request, renderer, region, "meetups/cancel.html", {
        "item": item, "token": token, "done": done,
        "error": gettext(STARTED) if item.started and not done else None})


def cancel(request: Request, instance: InstanceDep, region: PageRegionDep,
           session: SessionDep, renderer: RendererDep, tasks: BackgroundTasks,
           token: Text = "") -> Response:
    """Cancel the guest's sign-up; the place goes to the first person waiting; then on to
    the link's page, which says it is cancelled."""
    request.state.private = True
    registration = _by_link(session, instance, region, token)
    if registration is None or registration.id is None:
        return _page(request, renderer, region, "meetups/cancel.html",
                     {"item": None, "token": "", "done": False}, 400)
    meetup_id = registration.meetup_id
    try:
        actions.cancel_sign_up(context(request, instance, region, session, tasks), meetup_id,
                               registration.id, None)
    except CancellationClosed:
        return _page(request, renderer, region, "meetups/cancel.html", {
            "item": summary(session, _meetup(session, region, meetup_id)),
            "token": "", "done": False, "error": gettext(STARTED)}, 409)
    return RedirectResponse(f"{request.url.path}?{urlencode({'token': token})}",
                            status_code=303)


def region_feed(region: PageRegionDep, instance: InstanceDep, session: SessionDep) -> Response:
    """``/{slug}/events.ics``: the region's upcoming meetups and those of the last three
    months, cancelled ones included (``STATUS:CANCELLED``)."""
    meetups = region_meetups(session, region_id_of(session, region.slug))
    return _ics(calendar(_calendar_name(region), meetups, _public_listing(instance, region)))


def meetup_feed(region: PageRegionDep, instance: InstanceDep, session: SessionDep,
                event_id: Id) -> Response:
    """``/{slug}/events/{id}.ics``: one meetup."""
    meetup = _meetup(session, region, event_id)
    return _ics(calendar(_calendar_name(region), [meetup], _public_listing(instance, region)))


def _calendar_name(region: RegionFolder) -> str:
    return f"{region.config.programme.name} – {gettext('Meetups')}"


def _public_listing(instance: InstanceDep, region: RegionFolder) -> str:
    return instance.settings.public_url.rstrip("/") + listing_path(region.slug, "fr")


def _ics(body: bytes) -> Response:
    return Response(body, media_type=MEDIA_TYPE, headers={
        "Cache-Control": "public, max-age=300",
        "Content-Disposition": 'inline; filename="events.ics"'})


router.add_api_route("/{slug}/events.ics", region_feed, methods=["GET"])
router.add_api_route("/{slug}/events/{event_id:int}.ics", meetup_feed, methods=["GET"])


def _remember_principal(request: Request, principal: MaybePrincipalDep) -> None:
    request.state.page_principal = principal


for _lang, (_list, _sign_up, _cancel) in NAMES.items():
    _base_path = f"/{{slug}}/{_list}"
    router.add_api_route(_base_path, listing, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(f"{_base_path}/{_cancel}", cancel_form, methods=["GET"],
                         response_class=HTMLResponse)
    router.add_api_route(f"{_base_path}/{_cancel}", cancel, methods=["POST"],
                         dependencies=[SIGNED_IN_FIRST, CSRF_CHECKED])
    router.add_api_route(f"{_base_path}/{{event_id:int}}", detail, methods=["GET"],
                         response_class=HTMLResponse)
    router.add_api_route(f"{_base_path}/{{event_id:int}}/{_sign_up}", signed_up,
                         methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(f"{_base_path}/{{event_id:int}}/{_sign_up}", sign_up,
                         methods=["POST"],
                         dependencies=[Depends(_remember_principal), CSRF_CHECKED])
