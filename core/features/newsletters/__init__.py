"""Newsletters: staff write a letter in Markdown, preview it, choose a segment of the people
who agreed to receive it, and send it through the mail outbox at a bounded rate; every
e-mail carries a one-click unsubscribe link (RFC 8058) that works without signing in.

The whole feature lives in this package: its tables (:mod:`.models`), consent
(:mod:`.consent`), segments (:mod:`.segments`), drafts and sending (:mod:`.drafts`,
:mod:`.sending`, :mod:`.mail`), the unsubscribe link (:mod:`.tokens`,
:mod:`.unsubscribing`), the pages and the GDPR parts (:mod:`.privacy`). Consent is asked on
the member's account page and, through the hook ``consent_questions``, on the inquiry form.
Figures count e-mails sent and unsubscriptions only: no opens, no click tracking.

Modules with routes are imported inside the hooks: the engine imports :mod:`.models` (for
the migrations) without pulling in the web layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from campagne.features import Feature
from campagne.features.menu import entry
from campagne.hookspecs import hookimpl
from campagne.i18n import translations
from campagne.i18n_markers import N_
from campagne.plugin_data import PluginData, PluginStore, engine_session
from campagne.plugin_types import (
    ConsentQuestion,
    InquiryEvent,
    MenuEntry,
    Panel,
    Routes,
)

FEATURE = Feature("newsletters", purged="newsletter consent(s) of anonymised inquiries deleted.")
TEMPLATES = Path(__file__).parent / "templates"
#: The key of the inquiry form's box (``consent_newsletter``; ``consents`` in the API).
CONSENT_KEY = "newsletter"
CONSENT_LABEL = N_("I would like to receive the programme's newsletter by e-mail (I can "
                   "unsubscribe at any time, from any newsletter).")


@hookimpl
def app_routes() -> list[Routes]:
    """The staff's pages, the unsubscribe link, the member's consent form."""
    from campagne.features.newsletters import pages_account, pages_public, pages_staff

    return [Routes(pages_account.router, order=417), Routes(pages_staff.router, order=418),
            Routes(pages_public.router, order=419)]


@hookimpl
def site_template_dirs() -> list[Path]:
    """The newsletters' templates (``newsletters/...``)."""
    return [TEMPLATES]


@hookimpl
def staff_menu_entries(locale: str) -> list[MenuEntry]:
    """The staff's newsletters."""
    return [entry("Newsletters", locale, fr="staff/newsletters", en="staff/newsletters",
                  page="staff_newsletters", order=70)]


@hookimpl
def consent_questions(locale: str) -> list[ConsentQuestion]:
    """The inquiry form's box to receive the newsletter (unticked)."""
    return [ConsentQuestion(key=CONSENT_KEY, label=translations(locale).gettext(CONSENT_LABEL))]


@hookimpl
def on_inquiry_received(inquiry: InquiryEvent, store: PluginStore) -> None:
    """Record the prospect's consent when they ticked the newsletter's box."""
    if CONSENT_KEY not in inquiry.consents:
        return
    from campagne.features.newsletters.consent import subscribe_prospect
    from campagne.operations.models import Inquiry

    with store.open() as data:
        session = engine_session(data)
        row = session.get(Inquiry, inquiry.inquiry_id)
        if row is not None and row.region_id == data.region_id:
            subscribe_prospect(session, row, inquiry.occurred_at)


@hookimpl
def page_panels(page: str, data: PluginData, member_id: int | None) -> list[Panel]:
    """On a member's account page, their consent and the form to change it; in the privacy
    notice, what is kept of those who subscribe."""
    if page == "account" and member_id is not None:
        from campagne.features.newsletters.consent import member_subscription

        found = member_subscription(engine_session(data), member_id)
        return [Panel("newsletters/account_panel.html", order=60,
                      context={"subscription": found})]
    if page == "privacy":
        return [Panel("newsletters/privacy_panel.html", order=60)]
    return []


@hookimpl
def export_member_data(data: PluginData, member_id: int) -> dict[str, Any]:
    """The member's consents to the newsletter and the newsletters sent to them."""
    from campagne.features.newsletters.privacy import member_newsletters

    return member_newsletters(engine_session(data), member_id)


@hookimpl
def erase_member_data(data: PluginData, member_id: int) -> None:
    """Delete the member's consents and the record of what was sent to them."""
    from campagne.features.newsletters.privacy import forget_member

    forget_member(engine_session(data), member_id)


@hookimpl
def purge_personal_data(data: PluginData) -> int:
    """Delete the consents of inquiries anonymised at the end of their retention period."""
    from campagne.features.newsletters.privacy import forget_anonymised

    return forget_anonymised(engine_session(data), data.region_id)
