"""``consent_questions``: plug-ins add optional consent boxes to a region's inquiry form,
shown unticked; the keys ticked (form) or sent (API ``consents``) reach
``on_inquiry_received`` in ``inquiry.consents``; an unknown key is a 422 naming it; a key
asked by two plug-ins is a failure of both and is not shown."""

from __future__ import annotations

from pathlib import Path

from inquiry_kit import send_form

from campagne.plugin_types import ConsentQuestion
from campagne.testing import RegionKit

ASKER = '''
from campagne import hookimpl
from campagne.plugin_types import ConsentQuestion

EVENTS = []


@hookimpl
def consent_questions(locale):
    label = "Share my plans with partner villages" if locale == "en" else \\
        "Partager mon projet avec les villages partenaires"
    return [ConsentQuestion(key="partners", label=label)]


@hookimpl
def on_inquiry_received(inquiry):
    EVENTS.append(inquiry.consents)
'''
ECHO = '''
from campagne import hookimpl
from campagne.plugin_types import ConsentQuestion


@hookimpl
def consent_questions():
    return [ConsentQuestion(key="partners", label="Encore")]
'''


def test_hook_consent_questions(tmp_path: Path) -> None:
    kit = RegionKit(tmp_path / "regions")
    lot = kit.region("lot", plugins={"asker.py": ASKER})
    with kit.client([lot]) as client:
        instance = client.app.state.instance  # type: ignore[attr-defined]
        events = instance.plugins.records["lot.asker"].plugin.EVENTS
        page = client.get("/lot/candidater").text
        box = page.split('name="consent_partners"')[1].split(">")[0]
        assert "Partager mon projet avec les villages partenaires" in page and "checked" not in box
        assert "Share my plans" in client.get("/lot/apply?lang=en").text
        assert send_form(client, "/lot/candidater", consent_partners="on").status_code == 303
        assert send_form(client, "/lot/candidater", email="b@example.org").status_code == 303
        body = {"first_name": "A", "last_name": "B", "email": "c@example.org", "consent": True}
        api = client.post("/api/v1/regions/lot/inquiries", json={**body, "consents": ["partners"]})
        assert api.status_code == 201, api.text
        assert events == [("partners",), (), ("partners",)]
        wrong = client.post("/api/v1/regions/lot/inquiries",
                            json={**body, "email": "d@example.org", "consents": ["spam"]})
        assert wrong.status_code == 422, wrong.text
        assert {"field": "body.consents.spam",
                "message": "unknown consent question 'spam'"} in wrong.json()["errors"]
        asked = instance.plugins.consent_questions(lot_info(instance), "fr")
        assert [q.key for q in asked] == ["newsletter", "partners"]
        assert all(isinstance(q, ConsentQuestion) for q in asked)


def lot_info(instance: object) -> object:
    """The region ``lot`` as hooks see it."""
    return instance.region("lot").info()  # type: ignore[attr-defined]


def test_a_key_asked_twice_is_a_failure_of_both(tmp_path: Path) -> None:
    kit = RegionKit(tmp_path / "regions")
    lot = kit.region("lot", plugins={"asker.py": ASKER, "echo.py": ECHO})
    with kit.client([lot]) as client:
        instance = client.app.state.instance  # type: ignore[attr-defined]
        page = client.get("/lot/candidater").text
        assert 'name="consent_partners"' not in page and 'name="consent_newsletter"' in page
        for name in ("lot.asker", "lot.echo"):
            [failure] = instance.plugins.records[name].failures
            assert failure.hook == "consent_questions" and "partners" in failure.message
