"""Accounts: signing in, one's own record and data, and the administration of accounts."""

from __future__ import annotations

from typing import Any

from campagne import cli_accounts
from campagne.api import admin, auth, me
from campagne.features import Feature
from campagne.features.menu import entry
from campagne.hookspecs import hookimpl
from campagne.notifications import pages as notification_pages
from campagne.outbox import pages as outbox_pages
from campagne.plugin_data import PluginData, engine_session
from campagne.plugin_types import Commands, MenuEntry, Routes
from campagne.web import account_pages, admin_pages

FEATURE = Feature("accounts", switchable=False)


@hookimpl
def app_routes() -> list[Routes]:
    """The sign-in API and pages, ``/api/v1/me``, ``/account``, ``/admin``, the outbox's
    pages (``/admin/outbox``, ``/{slug}/staff/outbox``) and ``/account/notifications``."""
    return [Routes(auth.router, order=107), Routes(auth.protected, order=108),
            Routes(me.router, order=110), Routes(admin.router, order=111),
            Routes(account_pages.public, order=400), Routes(account_pages.router, order=401),
            Routes(admin_pages.router, order=402), Routes(outbox_pages.admin, order=403),
            Routes(outbox_pages.staff, order=404), Routes(notification_pages.router, order=413)]


@hookimpl
def cli_commands() -> list[Commands]:
    """``campagne users`` and ``campagne purge``."""
    return [Commands(names=("users", "purge"), add_parsers=cli_accounts.add_parsers,
                     run=cli_accounts.run)]


@hookimpl
def staff_menu_entries(locale: str) -> list[MenuEntry]:
    """The state of the region's e-mails (the mail outbox)."""
    return [entry("Outbox", locale, fr="staff/outbox", en="staff/outbox", page="staff_outbox",
                  order=90)]


@hookimpl
def export_member_data(data: PluginData, member_id: int) -> dict[str, Any]:
    """The person's notification preferences (``notifications``) and the e-mails to them
    the outbox holds (``emails``: kind, subject, dates, state; not the text)."""
    from campagne.notifications.privacy import export_notifications

    return export_notifications(engine_session(data), member_id)


@hookimpl
def erase_member_data(data: PluginData, member_id: int) -> None:
    """Forget the notifications the person switched off."""
    from campagne.notifications.privacy import erase_notifications

    erase_notifications(engine_session(data), member_id)
