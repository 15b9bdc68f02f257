"""The page where a signed-in person chooses the e-mails they receive and their language
(``/account/notifications``). Saving is CSRF-protected and audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from campagne.api.deps import InstanceDep, SessionDep
from campagne.api.me import own_record
from campagne.api.security import client_address
from campagne.auth import audit
from campagne.auth.access import Principal
from campagne.auth.models import Role
from campagne.i18n import SUPPORTED, current_locale
from campagne.instance import Instance
from campagne.notifications import preferences
from campagne.notifications.kinds import kinds_for
from campagne.plugin_types import NotificationKind
from campagne.web.pages import RendererDep
from campagne.web.sessions import CSRF_CHECKED, SIGNED_IN_PAGE, PagePrincipalDep

router = APIRouter(prefix="/account", include_in_schema=False, dependencies=[SIGNED_IN_PAGE])
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def _kinds(session: Session, instance: Instance, principal: Principal
           ) -> list[NotificationKind]:
    if principal.role is Role.MEMBER and principal.user.member_id is not None:
        return kinds_for(instance, principal.role, [own_record(session, principal)[1]])
    return kinds_for(instance, principal.role, principal.regions)


@router.get("/notifications", response_class=HTMLResponse)
def notifications(request: Request, instance: InstanceDep, session: SessionDep,
                  renderer: RendererDep, principal: PagePrincipalDep) -> HTMLResponse:
    """The kinds that concern the person, each with its switch, and the mail language."""
    kinds = _kinds(session, instance, principal)
    off = preferences.switched_off(session, principal.user_id)
    locale = current_locale.get()
    context: dict[str, Any] = {
        "csrf": request.state.csrf_token, "principal": principal,
        "kinds": [{"key": k.key, "label": k.label_in(locale), "optional": k.optional,
                   "on": k.key not in off} for k in kinds],
        "language_name": LANGUAGE_NAMES.get(principal.user.language, principal.user.language),
        "page_language": locale,
        "languages": [(code, LANGUAGE_NAMES[code]) for code in SUPPORTED],
        "saved": request.query_params.get("saved") == "1"}
    return renderer.render(request, "account/notifications.html", context)


@router.post("/notifications", dependencies=[CSRF_CHECKED])
def save_notifications(request: Request, instance: InstanceDep, session: SessionDep,
                       principal: PagePrincipalDep,
                       on: Annotated[list[str] | None, Form(max_length=40)] = None,
                       language: Annotated[str, Form(max_length=2)] = "") -> Response:
    """Keep the optional kinds ticked, switch off the others shown, and set the mail
    language (the one chosen, else the page's)."""
    optional = [k.key for k in _kinds(session, instance, principal) if k.optional]
    chosen = language if language in SUPPORTED else current_locale.get()
    off = sorted(set(optional) - set(on or []))
    preferences.save(session, principal.user, off=off, shown=optional, language=chosen)
    audit.record(session, principal.user, "notification_preferences",
                 target=f"account:{principal.user_id}", address=client_address(request),
                 off=off, language=chosen)
    session.commit()
    return RedirectResponse("/account/notifications?saved=1", status_code=303)
