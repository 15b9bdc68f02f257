"""The e-mail that acknowledges an inquiry, in the person's language, naming the
programme and how to reach it."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass

from campagne.config import RegionConfig
from campagne.i18n import translations
from campagne.i18n_markers import N_
from campagne.mail import send_mail
from campagne.settings import CampagneSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Acknowledgement:
    """A message ready to send."""

    to: str
    subject: str
    body: str
    reply_to: str | None


def acknowledgement(config: RegionConfig, settings: CampagneSettings, *, first_name: str,
                    email: str, locale: str) -> Acknowledgement:
    """The acknowledgement of an inquiry to ``config``'s programme, in ``locale``."""
    text = translations(locale).gettext
    programme = config.programme
    names = {"programme": programme.name, "operator": programme.operator}
    contact = programme.contact
    reach = [(text(N_("E-mail:")), contact.email), (text(N_("Phone:")), contact.phone),
             (text(N_("Address:")), contact.address), (text(N_("Website:")), programme.website)]
    privacy = f"{settings.public_url.rstrip('/')}/{config.slug}/privacy"
    lines = [
        text(N_("Hello %(name)s,")) % {"name": first_name}, "",
        text(N_("Thank you for your interest in %(programme)s, run by %(operator)s. We have "
             "received your inquiry: a member of the programme's staff will contact you "
             "soon.")) % names, "",
        *_reach_lines(text(N_("To reach the programme:")), reach),
        text(N_("How your answers are kept and your rights: %(url)s")) % {"url": privacy}, "",
        text(N_("The team of %(programme)s")) % names,
    ]
    return Acknowledgement(
        to=email, subject=text(N_("%(programme)s: we have received your inquiry")) % names,
        body="\n".join(lines) + "\n", reply_to=contact.email)


def _reach_lines(title: str, reach: list[tuple[str, str | None]]) -> list[str]:
    """The programme's contact details under ``title``; nothing when it gives none."""
    given = [f"  {label} {value}" for label, value in reach if value]
    return [title, *given, ""] if given else []


def send_acknowledgement(settings: CampagneSettings, message: Acknowledgement,
                         inquiry_id: int) -> bool:
    """Send ``message``; a failure is logged (without the address) and the inquiry stays."""
    try:
        send_mail(settings, message.to, message.subject, message.body,
                  reply_to=message.reply_to)
    except (OSError, smtplib.SMTPException, ValueError) as exc:  # ValueError: bad header
        log.warning("the acknowledgement of inquiry %s was not sent: %s: %s", inquiry_id,
                    type(exc).__name__, exc)
        return False
    return True
