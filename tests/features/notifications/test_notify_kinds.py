"""The hook ``notification_kinds``: a region's plug-in declares kinds, shown to the people
they concern; a key already taken is that plug-in's failure."""

from __future__ import annotations

from pathlib import Path

from notifications_kit import lot_folder

from campagne.auth.models import Role
from campagne.notifications.kinds import kinds_for
from campagne.testing import RegionKit

PLUGIN = '''
from campagne.toolkit import NotificationKind, hookimpl


@hookimpl
def notification_kinds():
    return [NotificationKind(key="grant_deadline",
                             label={"fr": "Échéance d’une aide", "en": "A grant's deadline"},
                             audience="member"),
            NotificationKind(key="new_inquiry", label="Taken", audience="staff")]
'''


def test_hook_notification_kinds(tmp_path: Path) -> None:
    kit = RegionKit(tmp_path)
    folder = lot_folder(kit, plugins={"grants": None})
    (folder / "plugins").mkdir(exist_ok=True)
    (folder / "plugins" / "grants.py").write_text(PLUGIN, encoding="utf-8")
    instance = kit.instance([folder])
    member_kinds = kinds_for(instance, Role.MEMBER, ["lot"])
    grant = next(kind for kind in member_kinds if kind.key == "grant_deadline")
    assert grant.label_in("en") == "A grant's deadline" and grant.optional
    assert {kind.key for kind in member_kinds} == {"grant_deadline", "meetup_reminder",
                                                   "desk_booking"}
    staff_keys = [kind.key for kind in kinds_for(instance, Role.STAFF, ["lot"])]
    assert staff_keys.count("new_inquiry") == 1
    assert kinds_for(instance, Role.MEMBER, ["gers"]) == []  # no such region here
    failures = [f for record in instance.plugins.records.values() for f in record.failures
                if f.hook == "notification_kinds"]
    assert failures and all("'new_inquiry' is declared by campagne.inquiries" in f.message
                            for f in failures)
    instance.engine.dispose()
