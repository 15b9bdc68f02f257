"""The mail outbox: e-mails given up on, and e-mails due for long but not sent (no
``campagne worker`` running?)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, inspect
from sqlmodel import Session, col, select

from campagne.doctor.finding import Deployment, Finding, as_utc, ok, warn
from campagne.outbox.models import MailState, OutboxMail

CHECK = "outbox"
#: An e-mail due for longer than this means no worker sends.
LATE = dt.timedelta(minutes=15)
WORKER_FIX = ("start campagne worker beside the web server (docs/operations.md, "
              "\"Running the worker in production\"), and read its log")


def check_outbox(deployment: Deployment) -> list[Finding]:
    """Failed e-mails, and the oldest one waiting past its due time."""
    engine = deployment.engine
    if engine is None or not inspect(engine).has_table(OutboxMail.__tablename__):
        return []
    with Session(engine) as session:
        failed = session.exec(select(func.count()).select_from(OutboxMail).where(
            OutboxMail.state == MailState.FAILED.value)).one()
        oldest = session.exec(select(func.min(OutboxMail.next_attempt_at)).where(
            col(OutboxMail.state).in_((MailState.QUEUED.value, MailState.SENDING.value)))
        ).one()
    findings = []
    if failed:
        findings.append(warn(CHECK, f"{failed} e-mail(s) failed: they were given up on "
                                    "after every attempt",
                             "read why at /admin/outbox, check the SMTP settings; the "
                             "failed ones are not sent again"))
    if oldest is not None:
        late = deployment.now - as_utc(oldest)
        if late > LATE:
            since = f"{as_utc(oldest):%Y-%m-%d %H:%M} UTC"
            findings.append(warn(CHECK, f"an e-mail has waited since {since} "
                                        f"({_minutes(late)}): no worker sends the outbox",
                                 WORKER_FIX))
    return findings or [ok(CHECK, "no e-mail failed or waiting for long")]



def _minutes(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"
