"""Which kinds of notification concern a person: the ``staff`` kinds of the plug-ins
enabled in a staff member's regions, the ``member`` kinds of those enabled in a member's
region; an administrator receives none of them."""

from __future__ import annotations

from collections.abc import Iterable

from campagne.auth.models import Role
from campagne.instance import Instance
from campagne.plugin_types import NotificationKind


def kinds_for(instance: Instance, role: Role, regions: Iterable[str]
              ) -> list[NotificationKind]:
    """The kinds a person of ``role`` working in (or member of) ``regions`` may receive."""
    audience = {Role.STAFF: "staff", Role.MEMBER: "member"}.get(role)
    slugs = list(regions)
    return [kind for plugin, kind in instance.plugins.notification_kinds()
            if kind.audience == audience
            and any(instance.plugins.is_enabled(plugin, slug) for slug in slugs)]
