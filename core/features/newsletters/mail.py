"""One newsletter e-mail: the staff's Markdown as plain text, then a footer saying why the
person gets it and how to stop; the same unsubscribe link in the ``List-Unsubscribe``
header, with ``List-Unsubscribe-Post`` so that mail clients offer one-click unsubscribing
(RFC 8058). The footer is in the instance's language, like the other e-mails."""

from __future__ import annotations

import hashlib

from campagne.features.newsletters.models import Newsletter
from campagne.features.newsletters.tokens import unsubscribe_url
from campagne.i18n import translations
from campagne.i18n_markers import N_
from campagne.settings import CampagneSettings

ONE_CLICK = "List-Unsubscribe=One-Click"
WHY = N_("You receive this newsletter from %(programme)s because you agreed to it.")
HOW_TO_STOP = N_("To stop receiving it, open this link:")


def mail_text(settings: CampagneSettings, programme: str, newsletter: Newsletter,
              link: str) -> str:
    """The body of the e-mail."""
    text = translations(settings.default_locale).gettext
    footer = [text(WHY) % {"programme": programme}, text(HOW_TO_STOP), link]
    return newsletter.body.rstrip() + "\n\n-- \n" + "\n".join(footer) + "\n"


def mail_headers(link: str) -> dict[str, str]:
    """The RFC 2369 and RFC 8058 headers of the e-mail."""
    return {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": ONE_CLICK}


def link_for(settings: CampagneSettings, region_slug: str, subscription_id: int,
             newsletter: Newsletter) -> str:
    """The unsubscribe link of one recipient of ``newsletter``."""
    assert newsletter.id is not None
    return unsubscribe_url(settings, region_slug, subscription_id, newsletter.id)


def dedupe_key(newsletter_id: int, address: str) -> str:
    """One e-mail per newsletter and address, whatever happens (a double click, two
    subscriptions of one person); the address is hashed, so the key holds none."""
    digest = hashlib.sha256(address.strip().lower().encode()).hexdigest()[:32]
    return f"newsletter:{newsletter_id}:{digest}"
