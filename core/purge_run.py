"""One whole run of retention: what ``campagne purge`` prints and the daily ``purge`` job
does (members and inquiries past their periods, expired credentials, old e-mails, and what
each feature and plug-in keeps)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from campagne.instance import Instance
from campagne.models import utc_now
from campagne.outbox.retention import purge_outbox
from campagne.retention import housekeeping, purge, purge_inquiries, purge_plugin_data


@dataclass
class PurgeReport:
    """The lines a run prints, and its counts."""

    lines: list[str] = field(default_factory=list)
    records: int = 0
    inquiries: int = 0

    def summary(self) -> str:
        """One line for a job's outcome."""
        return (f"{self.records} member record(s) and {self.inquiries} inquiry record(s) "
                "anonymised")


def purge_all(session: Session, instance: Instance, *, dry_run: bool) -> PurgeReport:
    """Apply every retention rule (or, with ``dry_run``, only list the records that would
    be anonymised); commits what it changes."""
    settings = instance.settings
    report = PurgeReport()
    expired = purge(session, instance, dry_run=dry_run)
    verb = "would be anonymised" if dry_run else "anonymised"
    for item in expired:
        report.lines.append(f"member {item.member_id}\t{item.region}\t{item.status}\t"
                            f"{item.rule}\tsince {item.since.isoformat()}")
    report.lines.append(f"{len(expired)} record(s) {verb}.")
    inquiries = purge_inquiries(session, settings, dry_run=dry_run)
    for inquiry in inquiries:
        report.lines.append(f"inquiry {inquiry.inquiry_id}\t{inquiry.region}\t"
                            f"{inquiry.stage}\t{inquiry.rule}\tsince "
                            f"{inquiry.since.isoformat()}")
    report.lines.append(f"{len(inquiries)} inquiry record(s) {verb}.")
    report.records, report.inquiries = len(expired), len(inquiries)
    if dry_run:
        return report
    report.lines.append(f"{housekeeping(session, settings)} expired credential(s) and "
                        "sign-in failure(s) deleted.")
    mails = purge_outbox(session, settings, utc_now())
    session.commit()
    report.lines.append(f"{mails} sent or failed e-mail(s) older than "
                        f"{settings.outbox_keep_days} days deleted.")
    # The features' own periods (guests of meetups and desks, abandoned uploads), then the
    # other plug-ins'.
    for plugin, count in purge_plugin_data(session, instance).items():
        record = instance.plugins.records[plugin]
        report.lines.append(f"{count} {record.purged}" if record.purged
                            else f"{count} row(s) of plug-in {plugin} purged.")
    return report
