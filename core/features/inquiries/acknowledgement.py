"""The e-mail that acknowledges an inquiry, in the person's language, naming the
programme and how to reach it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from campagne.config import RegionConfig
from campagne.i18n import translations
from campagne.i18n_markers import N_
from campagne.outbox.queue import queue_mail
from campagne.settings import CampagneSettings


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


def queue_acknowledgement(session: Session, settings: CampagneSettings, region_slug: str,
                          message: Acknowledgement) -> None:
    """Put ``message`` in the mail outbox, in the inquiry's transaction."""
    queue_mail(session, settings, kind="inquiry_acknowledgement", to=message.to,
               subject=message.subject, body=message.body, reply_to=message.reply_to,
               region_slug=region_slug)
