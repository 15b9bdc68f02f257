"""The e-mail that tells a region's staff of a new inquiry: who wrote and when, with a link
to the inquiry's staff page, never the message nor the contact details (they are behind
the sign-in). One per staff account, in its language, in the inquiry's transaction."""

from __future__ import annotations

from sqlmodel import Session

from campagne.features.inquiries.form import TIMINGS
from campagne.i18n import translations
from campagne.instance import Instance
from campagne.notifications.links import settings_url, site_url
from campagne.notifications.preferences import language_of
from campagne.notifications.recipients import region_staff
from campagne.notifications.templates import render_mail
from campagne.operations.models import Inquiry
from campagne.operations.timeline import PROGRAMME_ZONE
from campagne.outbox.queue import queue_mail
from campagne.regions import RegionFolder

KIND = "new_inquiry"
TIMING_LABELS = dict(TIMINGS)


def queue_staff_notices(session: Session, instance: Instance, region: RegionFolder,
                        inquiry: Inquiry) -> int:
    """Queue the notice to each staff account of the region that wants it (none when
    ``region.yaml`` switches ``notifications: {new_inquiry: false}``); return how many."""
    if not region.config.notifications.new_inquiry:
        return 0
    settings = instance.settings
    pipeline_on = instance.plugins.feature_enabled("pipeline", region.slug)
    url = site_url(settings, f"{region.slug}/staff/inquiries/{inquiry.id}" if pipeline_on
                   else f"{region.slug}/staff/")
    count = 0
    for account in region_staff(session, region.slug, KIND):
        locale = language_of(account, settings.default_locale)
        timing = TIMING_LABELS.get(inquiry.timing or "")
        mail = render_mail(region.path, KIND, locale, {
            "programme": region.config.programme.name, "region": region.config.name,
            "name": f"{inquiry.first_name} {inquiry.last_name}",
            "received_on": inquiry.created_at.astimezone(PROGRAMME_ZONE).date(),
            "timing": translations(locale).gettext(timing) if timing else inquiry.timing,
            "url": url, "settings_url": settings_url(settings)})
        queue_mail(session, settings, kind=KIND, to=account.email, subject=mail.subject,
                   body=mail.body, region_slug=region.slug)
        count += 1
    return count
