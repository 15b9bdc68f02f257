"""Asking before a destructive action, without JavaScript. The action's form posts without
``confirm``; the view then answers with a page that says what will happen, whose button
posts the same form again with ``confirm=yes``. Only then does the view act, so the check
is the server's, whatever the browser does. The view checks who may act and that the
record exists before asking: the question never tells more than the action would."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse

from campagne.regions import RegionFolder
from campagne.web.templating import Renderer

ConfirmField = Annotated[str, Form(max_length=3)]
YES = "yes"


@dataclass(frozen=True)
class Question:
    """What the confirmation page shows: its title (the question), what will happen, the
    button that does it, the address to go back to, and the form's other fields to send
    again (a version...)."""

    title: str
    consequence: str
    button: str
    back: str
    fields: dict[str, str] = field(default_factory=dict)


def confirmed(value: str) -> bool:
    """True when the form was sent from the confirmation page."""
    return value == YES


def ask(request: Request, renderer: Renderer, question: Question, *,
        region: RegionFolder | None = None, page: str = "") -> HTMLResponse:
    """The confirmation page of the action posted to the request's address."""
    return renderer.render(request, "confirm.html", {
        "question": question, "action": request.scope["path"], "confirm": YES,
        "csrf": request.state.csrf_token}, region=region, page=page)
