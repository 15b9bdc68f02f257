"""The secret of a newsletter's unsubscribe link: the subscription's id, the newsletter's
(for its figures) and a keyed digest of both (HMAC-SHA256 with the instance key, under its
own label), so nobody can make a link for someone else's subscription and nothing needs
storing. A link keeps working: unsubscribing twice changes nothing."""

from __future__ import annotations

import hashlib
import hmac

from campagne.auth.secret import secret_key
from campagne.settings import CampagneSettings

LABEL = b"newsletter-unsubscribe:"
MAX_ID_DIGITS = 18


def unsubscribe_token(settings: CampagneSettings, subscription_id: int,
                      newsletter_id: int) -> str:
    """The secret of the link that unsubscribes ``subscription_id`` (sent with
    ``newsletter_id``)."""
    head = f"{subscription_id}.{newsletter_id}"
    mac = hmac.new(secret_key(settings).encode(), LABEL + head.encode(),
                   hashlib.sha256).hexdigest()[:40]
    return f"{head}.{mac}"


def token_subject(settings: CampagneSettings, token: str) -> tuple[int, int] | None:
    """The (subscription, newsletter) ids a secret was made for; ``None`` if forged."""
    parts = token.split(".")
    # ASCII digits only: int() takes other scripts' digits, and compare_digest refuses str
    # holding anything but ASCII.
    if len(parts) != 3 or not token.isascii() or not all(
            part.isdigit() and len(part) <= MAX_ID_DIGITS for part in parts[:2]):
        return None
    subscription_id, newsletter_id = int(parts[0]), int(parts[1])
    expected = unsubscribe_token(settings, subscription_id, newsletter_id)
    return (subscription_id, newsletter_id) if hmac.compare_digest(expected, token) else None


def unsubscribe_url(settings: CampagneSettings, region_slug: str, subscription_id: int,
                    newsletter_id: int) -> str:
    """The address that unsubscribes, opened from the mail (a page with a button) or
    posted to by the mail client (RFC 8058 one-click)."""
    token = unsubscribe_token(settings, subscription_id, newsletter_id)
    return f"{settings.public_url.rstrip('/')}/{region_slug}/newsletters/unsubscribe?token={token}"
