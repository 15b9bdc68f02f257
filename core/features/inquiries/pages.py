"""The public inquiry form of each region: ``/{slug}/candidater`` (``/{slug}/apply``).

It works without JavaScript, carries a double-submit CSRF token like the sign-in form, keeps
out robots with a honeypot field and a rate limit per client address, and keeps what the
person typed when something must be corrected. Opened from the simulator, it is prefilled
from the query string, which only ever holds non-personal fields of the profile."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.security import client_address
from campagne.features.inquiries import actions
from campagne.features.inquiries.consents import questions, ticked_boxes
from campagne.features.inquiries.form import GROUPS, InquiryFormSpec, clean, form_spec
from campagne.features.inquiries.intake import prefill_values, profile_from
from campagne.features.inquiries.rate_limit import count_sending, explain, limited
from campagne.i18n import current_locale, gettext
from campagne.operations.models import InquirySource
from campagne.plugin_types import ProfileField
from campagne.regions import RegionFolder
from campagne.web.pages import PageRegionDep, RendererDep
from campagne.web.sessions import PRE_CSRF, check_csrf, pre_session_token, set_cookie

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
HONEYPOT = "website"
MAX_FIELDS = 100


async def posted_form(request: Request) -> dict[str, str]:
    """The posted form's text values (files are refused, fields are few)."""
    form = await request.form(max_files=0, max_fields=MAX_FIELDS)
    return {key: value for key, value in form.items() if isinstance(value, str)}


PostedDep = Annotated[dict[str, str], Depends(posted_form)]


#: The thanks page's query parameter: what became of the acknowledgement e-mail.
MAIL_PARAM = "mail"


def _thanks_path(request: Request, acknowledged: actions.Acknowledged | None = None) -> str:
    """The thanks page; with ``?mail=`` when the acknowledgement's fate is known (nothing
    personal: the page names no one)."""
    path = request.url.path.rstrip("/")
    thanks = f"{path}/merci" if path.endswith("/candidater") else f"{path}/thanks"
    return thanks if acknowledged is None else f"{thanks}?{MAIL_PARAM}={acknowledged.value}"


def _render(request: Request, renderer: RendererDep, region: RegionFolder,
            spec: InquiryFormSpec, context: dict[str, Any], status: int = 200,
            headers: dict[str, str] | None = None) -> HTMLResponse:
    """The form, with a fresh or the browser's double-submit token and the plug-ins'
    consent boxes."""
    token = pre_session_token(request)
    asked = questions(request.app.state.instance.plugins, region, spec.locale)
    full = {"spec": spec, "groups": GROUPS, "values": {}, "errors": {}, "profile": {},
            "notice": None, "csrf": token, "consent_questions": asked, **context}
    response = renderer.render(request, "inquiry_form.html", full, region=region,
                               page="inquiry_form", status_code=status)
    set_cookie(request, response, PRE_CSRF, token)
    response.headers.update(headers or {})
    return response


@router.get("/{slug}/candidater", response_class=HTMLResponse)
@router.get("/{slug}/apply", response_class=HTMLResponse)
def inquiry_form(request: Request, region: PageRegionDep, instance: InstanceDep,
                 renderer: RendererDep) -> HTMLResponse:
    """The empty form, or prefilled from a simulated profile (status, sector, département,
    and the region's own questions that share a key with a plug-in's profile field)."""
    profile = profile_from(request.query_params, _profile_fields(instance, region))
    spec = form_spec(region.config, current_locale.get())
    return _render(request, renderer, region, spec,
                   {"values": prefill_values(spec, profile), "profile": profile})


def _profile_fields(instance: InstanceDep, region: RegionFolder) -> list[ProfileField]:
    return [field for _, field in instance.plugins.profile_fields(region.info())]


@router.post("/{slug}/candidater", response_class=HTMLResponse)
@router.post("/{slug}/apply", response_class=HTMLResponse)
def send_inquiry(request: Request, region: PageRegionDep, instance: InstanceDep,
                 session: SessionDep, renderer: RendererDep, posted: PostedDep,
                 background: BackgroundTasks) -> Response:
    """Check and store the inquiry, then show the confirmation; or show the form again."""
    request.state.private = True  # the answer may hold what the person typed
    locale = current_locale.get()
    spec = form_spec(region.config, locale)
    address = client_address(request)
    profile = profile_from({key.removeprefix("profile_"): value for key, value in posted.items()
                            if key.startswith("profile_")}, _profile_fields(instance, region))
    values = {key: value for key, value in posted.items()
              if key not in ("csrf", HONEYPOT) and not key.startswith("profile_")}
    context: dict[str, Any] = {"values": values, "profile": profile}
    try:
        check_csrf(request, posted.get("csrf", ""))
    except HTTPException:
        context["notice"] = gettext("This form has expired. Check your answers and send it "
                                    "again.")
        return _render(request, renderer, region, spec, context, status=403)
    if posted.get(HONEYPOT, "").strip():
        log.warning("inquiry form of %s: the hidden field was filled; nothing stored",
                    region.slug)
        count_sending(session, address)
        session.commit()
        return RedirectResponse(_thanks_path(request), status_code=303)
    refused = limited(session, instance.settings, address, values.get("email", ""))
    if refused is not None:
        context["notice"] = " ".join((explain(refused), gettext(
            "Your answers are kept below; you may also write to the programme.")))
        return _render(request, renderer, region, spec, context, status=429,
                       headers={"Retry-After": str(refused.retry_after)})
    inquiry, errors = clean(spec, values)
    if inquiry is None:
        return _render(request, renderer, region, spec, {**context, "errors": errors},
                       status=422)
    ticked = ticked_boxes(questions(instance.plugins, region, locale), values)
    submitted = actions.submit(
        actions.Context(instance, region, session, background, address), inquiry,
        source=InquirySource.FORM, profile=profile, locale=locale, consents=ticked)
    return RedirectResponse(_thanks_path(request, submitted.acknowledged), status_code=303)


@router.get("/{slug}/candidater/merci", response_class=HTMLResponse)
@router.get("/{slug}/apply/thanks", response_class=HTMLResponse)
def thanks(request: Request, region: PageRegionDep, renderer: RendererDep) -> HTMLResponse:
    """The confirmation (it names no one). It promises an e-mail only when one was queued
    and the outbox sends (``?mail=queued``); an unknown or missing value promises none."""
    known = {item.value for item in actions.Acknowledged}
    mail = request.query_params.get(MAIL_PARAM)
    return renderer.render(request, "inquiry_thanks.html",
                           {"mail": mail if mail in known else None}, region=region,
                           page="inquiry_thanks")
