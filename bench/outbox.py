"""Benchmark of the mail outbox: e-mails queued per second in one transaction, sent per
second to a local SMTP server by one and by two workers, against a baseline that sends the
same messages straight over SMTP (what the code did before the outbox), and the cost of a
worker's idle round. One command, from the repository's root:

    python bench/outbox.py                     # 2,000 e-mails on SQLite
    python bench/outbox.py --mails 20000 --db postgresql://postgres@127.0.0.1:5432/test

Prints the figures and the ratios; exit 0 when everything ran (the figures are
measurements, not a test). On PostgreSQL the run uses (and drops) the schema
``campagne_bench_outbox``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import smtplib
import statistics
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from bench_kit import empty_database, free_port
from sqlmodel import Session

from campagne.db import make_engine, upgrade
from campagne.models import utc_now
from campagne.outbox.queue import queue_mail
from campagne.outbox.sending import send_due
from campagne.settings import CampagneSettings

SCHEMA = "campagne_bench_outbox"


class Counting:
    """An SMTP handler that counts what it accepts."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
        return "250 OK"


def queue(url: str, settings: CampagneSettings, count: int) -> float:
    """Queue ``count`` e-mails in one transaction; return the seconds it took."""
    engine = make_engine(url)
    started = time.perf_counter()
    with Session(engine) as session:
        for n in range(count):
            queue_mail(session, settings, kind="bench", to=f"p{n}@example.org",
                       subject=f"Lettre {n}", body="Bonjour,\n\nUne lettre.\n")
        session.commit()
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def drain(url: str, settings: CampagneSettings, workers: int, batch: int) -> float:
    """Send everything due with ``workers`` threads, each with its own engine (as separate
    processes would); return the seconds it took."""
    now = utc_now() + dt.timedelta(seconds=1)
    start = threading.Barrier(workers + 1)

    def work() -> None:
        engine = make_engine(url)
        start.wait()
        while send_due(engine, settings, limit=batch, now=now).sent:
            pass
        engine.dispose()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def direct(settings: CampagneSettings, count: int) -> float:
    """The baseline: the same messages sent straight over SMTP, one connection each, as a
    request did before the outbox; return the seconds it took."""
    started = time.perf_counter()
    for n in range(count):
        message = EmailMessage()
        message["From"], message["To"] = settings.smtp_sender, f"p{n}@example.org"
        message["Subject"] = f"Lettre {n}"
        message.set_content("Bonjour,\n\nUne lettre.\n")
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as client:
            client.send_message(message)
    return time.perf_counter() - started


def idle_round_ms(url: str, settings: CampagneSettings, rounds: int = 200) -> float:
    """The median time of a round with nothing due, in milliseconds."""
    engine = make_engine(url)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        send_due(engine, settings, limit=50)
        times.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=2000, help="e-mails per measure (2000)")
    parser.add_argument("--batch", type=int, default=50, help="e-mails a round takes (50)")
    parser.add_argument("--db", default=None, help="a PostgreSQL URL (else SQLite)")
    args = parser.parse_args(argv)
    handler, port = Counting(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings = CampagneSettings(smtp_host="127.0.0.1", smtp_port=port)
    figures: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            for workers in (1, 2):
                url = empty_database(args.db, Path(folder) / str(workers), schema=SCHEMA,
                                     filename="outbox.db")
                (Path(folder) / str(workers)).mkdir(exist_ok=True)
                upgrade(make_engine(url))
                figures[f"queue_{workers}"] = queue(url, settings, args.mails)
                figures[f"send_{workers}"] = drain(url, settings, workers, args.batch)
                if workers == 1:
                    figures["idle_ms"] = idle_round_ms(url, settings)
            figures["direct"] = direct(settings, args.mails)
    finally:
        controller.stop()
    expected = args.mails * 3
    kind = "PostgreSQL" if args.db and not args.db.startswith("sqlite") else "SQLite"
    rate = {key: args.mails / figures[key] for key in ("queue_1", "send_1", "send_2", "direct")}
    print(f"outbox on {kind}, {args.mails} e-mails, rounds of {args.batch}")
    print(f"  queued in one transaction   {rate['queue_1']:10.0f} e-mails/s")
    print(f"  sent by 1 worker            {rate['send_1']:10.0f} e-mails/s")
    print(f"  sent by 2 workers           {rate['send_2']:10.0f} e-mails/s"
          f"   (x{rate['send_2'] / rate['send_1']:.2f} of 1 worker)")
    print(f"  baseline, straight SMTP     {rate['direct']:10.0f} e-mails/s"
          f"   (1 worker: x{rate['send_1'] / rate['direct']:.2f} of the baseline)")
    print(f"  idle round (nothing due)    {figures['idle_ms']:10.2f} ms (median)")
    print(f"  received by the server      {handler.count} of {expected}")
    return 0 if handler.count == expected else 1


if __name__ == "__main__":
    sys.exit(main())
