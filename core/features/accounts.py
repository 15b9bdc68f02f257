"""Accounts: signing in, one's own record and data, and the administration of accounts."""

from __future__ import annotations

from campagne import cli_accounts
from campagne.api import admin, auth, me
from campagne.features import Feature
from campagne.features.menu import entry
from campagne.hookspecs import hookimpl
from campagne.outbox import pages as outbox_pages
from campagne.plugin_types import Commands, MenuEntry, Routes
from campagne.web import account_pages, admin_pages

FEATURE = Feature("accounts", switchable=False)


@hookimpl
def app_routes() -> list[Routes]:
    """The sign-in API and pages, ``/api/v1/me``, ``/account``, ``/admin`` and the outbox's
    pages (``/admin/outbox``, ``/{slug}/staff/outbox``)."""
    return [Routes(auth.router, order=107), Routes(auth.protected, order=108),
            Routes(me.router, order=110), Routes(admin.router, order=111),
            Routes(account_pages.public, order=400), Routes(account_pages.router, order=401),
            Routes(admin_pages.router, order=402), Routes(outbox_pages.admin, order=403),
            Routes(outbox_pages.staff, order=404)]


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
