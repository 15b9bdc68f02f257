"""Helpers for the meetup tests: a real SMTP server on loopback (aiosmtpd) that keeps
what it receives, and a meetup made through the staff API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from accounts_kit import World
from mail_kit import Inbox, deliver, smtp

from campagne.app import create_app
from campagne.instance import Instance
from campagne.testing import served

__all__ = ["Inbox", "deliver", "in_days", "new_event", "serve", "smtp"]


def in_days(days: float, hour: int = 18) -> str:
    """An ISO time ``days`` from now at ``hour`` o'clock, Paris time."""
    day = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, 30).isoformat()


def new_event(w: World, *, capacity: int = 10, days: float = 10, slug: str = "gers",
              role: str = "staff_gers", **extra: Any) -> dict[str, Any]:
    """Create a meetup through the API as ``role`` and return it."""
    body = {"title": "Apéro des indépendants", "theme": "Trouver ses premiers clients",
            "starts_at": in_days(days), "ends_at": in_days(days, 21),
            "place": "La Dynamo, Auch", "capacity": capacity, **extra}
    response = w.client.post(f"/api/v1/regions/{slug}/events", json=body,
                             headers=w.headers(role))
    assert response.status_code == 201, response.text
    event: dict[str, Any] = response.json()
    return event


@contextmanager
def serve(instance: Instance) -> Iterator[str]:
    """The application of ``instance`` behind uvicorn on a free loopback port."""
    with served(create_app(instance)) as url:
        yield url
