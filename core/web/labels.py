"""The words pages show for the codes records keep (a member's status, a sector, an answer
of the inquiry form, a role...), in the page's language. The labels are those the public
forms and the figures already use; a code no table knows (an old value, a plug-in's) shows
as itself, never as nothing. The templates reach them as filters (``status|member_status``)."""

from __future__ import annotations

import re

from campagne.config import RegionConfig
from campagne.features.inquiries.form import form_spec
from campagne.i18n import current_locale, gettext
from campagne.i18n_markers import N_
from campagne.taxonomy import SECTORS_BY_SLUG

MEMBER_STATUSES = {"settling": N_("Settling in"), "settled": N_("Settled"),
                   "left": N_("Left the programme"), "prospect": N_("Prospect"),
                   "declined": N_("Application turned down")}
ROLES = {"admin": N_("Administrator"), "staff": N_("Region staff"), "member": N_("Member")}
MAIL_STATES = {"queued": N_("Waiting to be sent"), "sending": N_("Being sent"),
               "sent": N_("Sent"), "failed": N_("Not sent")}
CONSENT_PURPOSES = {"programme": N_("Follow-up by the programme"),
                    "keep_application": N_("Keep the application for two years")}
# The answers of the inquiry form shown on an inquiry's page, by field name.
INQUIRY_CHOICES = ("sector", "status", "timing", "heard_from")
PHONE_KEPT = re.compile(r"[^0-9+]")


def _label(table: dict[str, str], code: str | None) -> str:
    if code is None:
        return ""
    return gettext(table[code]) if code in table else code


def member_status(code: str | None) -> str:
    """A member's status (``settled``: « Installé »)."""
    return _label(MEMBER_STATUSES, code)


def sector(code: str | None) -> str:
    """A sector group (``health_wellbeing``: « Santé et bien-être »)."""
    if code is None:
        return ""
    found = SECTORS_BY_SLUG.get(code)
    return gettext(found.label) if found else code


def role(code: str | None) -> str:
    """An account's role."""
    return _label(ROLES, code)


def mail_state(code: str | None) -> str:
    """Where an e-mail of the outbox is."""
    return _label(MAIL_STATES, code)


def consent_purpose(code: str | None) -> str:
    """The purpose of a consent staff record (``programme``...)."""
    return _label(CONSENT_PURPOSES, code)


def inquiry_choices(config: RegionConfig) -> dict[str, dict[str, str]]:
    """The labels of the inquiry form's choices, by field then value, in the page's
    language: the region's own (``heard_from_choices``) where it has them."""
    spec = form_spec(config, current_locale.get()).by_name()
    return {name: dict(spec[name].choices) for name in INQUIRY_CHOICES if name in spec}


def tel_href(phone: str | None) -> str:
    """A ``tel:`` link's target: the digits and a leading ``+`` of ``phone``."""
    return "tel:" + PHONE_KEPT.sub("", phone or "")


FILTERS = {"member_status": member_status, "sector": sector, "role": role,
           "mail_state": mail_state, "consent_purpose": consent_purpose, "tel_href": tel_href}
