"""The public inquiry form, end to end: shown in both languages, validated field by field with
the answers kept, protected by CSRF, a honeypot and a rate limit per address, stored with its
consent, acknowledged by e-mail (a real SMTP server) in the person's language, prefilled from
the simulator with non-personal fields only, and extended by a region's own questions."""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from inquiry_kit import (
    answers,
    csrf_of,
    deliver,
    free_port,
    inquiries,
    send_form,
    smtp_server,
)
from sqlmodel import Session, select

from campagne.app import create_app
from campagne.auth.models import AuditEvent, LoginAttempt
from campagne.i18n import format_wait
from campagne.instance import Instance
from campagne.models import utc_now
from campagne.outbox.models import OutboxMail
from campagne.regions import reference_region_paths
from campagne.testing import RegionKit, minimal_region

QUEUED_FR = ("L’équipe de Soho Solo Gers vous contactera bientôt. Un accusé de réception part "
             "vers l’adresse électronique que vous avez donnée.")


@contextmanager
def serve(folder: Path, database_url: str | None = None,
          paths: list[Path] | None = None) -> Iterator[tuple[TestClient, Instance]]:
    """The reference regions (or ``paths``) on a fresh database, without demo data."""
    instance = RegionKit(folder, database_url).instance(paths or reference_region_paths())
    try:
        with TestClient(create_app(instance), raise_server_exceptions=False) as client:
            yield client, instance
    finally:
        instance.engine.dispose()


def test_form_is_shown_in_both_languages(tmp_path: Path) -> None:
    with serve(tmp_path) as (client, _):
        french = client.get("/gers/candidater")
        assert french.status_code == 200
        for text in ("Envoyer une demande", "Prénom", "Nom", "Adresse électronique",
                     "(facultatif)", "D’ici six mois", "Indépendant", "Envoyer ma demande",
                     "Un moteur de recherche", 'href="/gers/privacy"'):
            assert text in html.unescape(french.text), text
        english = client.get("/gers/apply?lang=en")
        for text in ("First name", "Within six months", "Send my inquiry", "Your consent"):
            assert text in english.text, text
        # the honeypot is hidden by the style sheet, never by an inline style
        assert re.search(r'<div class="hp-field" aria-hidden="true">', french.text)
        assert 'tabindex="-1" autocomplete="off"' in french.text
        assert "style=" not in french.text
        assert client.get("/nowhere/candidater").status_code == 404
        # the region's menu leads to the form
        assert 'href="/gers/apply"' in client.get("/gers/").text  # in English now
        assert 'href="/gers/candidater"' in client.get("/gers/?lang=fr").text


def test_sending_stores_the_inquiry_and_acknowledges_it_in_french(
        tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server(monkeypatch) as inbox, serve(tmp_path, database_url) as (client, instance):
        sent = send_form(client)
        assert sent.status_code == 303
        assert sent.headers["location"] == "/gers/candidater/merci?mail=queued"
        assert sent.headers["cache-control"] == "no-store"
        thanks = client.get(sent.headers["location"])
        assert thanks.status_code == 200 and "Merci, votre demande est envoyée" in thanks.text
        assert QUEUED_FR in html.unescape(thanks.text)
        assert "Camille" not in thanks.text
        [row] = inquiries(instance)
        assert (row.first_name, row.last_name, row.email) == (
            "Camille", "Durandal", "camille@example.org")
        assert (row.phone, row.origin_area, row.origin_department) == (
            "+33 6 12 34 56 78", "Île-de-France", "75")
        assert (row.activity, row.sector_slug, row.status, row.timing, row.heard_from) == (
            "Développeuse web", "it_internet_ecommerce", "independent", "within_a_year",
            "press")
        assert row.message == "Je voudrais visiter un village."
        assert (row.stage, row.source, row.answers, row.profile) == ("new", "form", {}, {})
        assert row.last_contact_at == utc_now().date()
        assert row.consent_purpose and row.consent_purpose.startswith("J’accepte que l’équipe")
        assert row.consent_given_at is not None
        assert utc_now() - row.consent_given_at < dt.timedelta(minutes=1)
        assert not row.synthetic and row.member_id is None
        deliver(instance)
        [mail] = inbox.messages
        assert mail["To"] == "camille@example.org"
        assert mail["Subject"] == "Soho Solo Gers\u00a0: nous avons bien reçu votre demande"
        body = mail.get_content().replace("\r\n", "\n")
        assert body.startswith("Bonjour Camille,")
        assert "Soho Solo Gers, porté par CCI du Gers" in body
        assert "Adresse\u00a0: CCI du Gers, Auch" in body
        assert "Site\u00a0: https://www.soho-solo-gers.com" in body
        assert "http://127.0.0.1:8000/gers/privacy" in body
        with Session(instance.engine) as session:
            [event] = session.exec(select(AuditEvent).where(
                AuditEvent.action == "inquiry_received")).all()
        assert (event.region_slug, event.target) == ("gers", f"inquiry:{row.id}")


def test_english_route_acknowledges_in_english(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server(monkeypatch) as inbox, serve(tmp_path) as (client, instance):
        client.get("/orne/apply?lang=en")  # the language choice is remembered in a cookie
        sent = send_form(client, "/orne/apply", email="sam@example.org", first_name="Sam")
        assert sent.headers["location"] == "/orne/apply/thanks?mail=queued"
        thanks = html.unescape(client.get(sent.headers["location"]).text)
        assert "Thank you, your inquiry is sent" in thanks
        assert "An acknowledgement is on its way to the e-mail address you gave." in thanks
        deliver(instance)
        [mail] = inbox.messages
        assert mail["Subject"].endswith(": we have received your inquiry")
        body = mail.get_content().replace("\r\n", "\n")
        assert body.startswith("Hello Sam,") and "We have received your inquiry" in body
        assert mail["Reply-To"] is None  # the Orne gives no contact address
        assert "To reach the programme:\n  Website: https://zevillage.net\n" in body
        assert "E-mail:" not in body and "Phone:" not in body  # only what it gives


def test_errors_are_shown_next_to_the_fields_and_the_answers_kept(tmp_path: Path) -> None:
    with serve(tmp_path) as (client, instance):
        shown = send_form(client, email="not-an-address", last_name="", consent="",
                          origin_department="999", sector="astrology",
                          message="Mon <b>message</b>")
        assert shown.status_code == 422
        page = shown.text
        summary = page.split('<div class="errors"', 1)[1].split("</div>", 1)[0]
        for name in ("last_name", "email", "origin_department", "sector", "consent"):
            assert f'href="#{name}"' in summary, name
            assert f'id="{name}-error"' in page, name
            assert re.search(rf'id="{name}"[^>]*aria-invalid="true"', page), name
        assert "Ce champ est nécessaire." in page
        assert "Indiquez une adresse électronique comme nom@example.org." in page
        assert "Cochez cette case pour envoyer la demande." in page
        assert "Indiquez le code Insee d’un département, par exemple 75." in html.unescape(page)
        # what was typed is kept, escaped
        assert 'value="Camille"' in page and 'value="not-an-address"' in page
        assert "Mon &lt;b&gt;message&lt;/b&gt;</textarea>" in page
        assert re.search(r'value="independent" checked', page)
        assert inquiries(instance) == []


def test_a_form_without_its_token_is_shown_again_and_nothing_stored(tmp_path: Path) -> None:
    with serve(tmp_path) as (client, instance):
        refused = client.post("/gers/candidater", data=answers(), follow_redirects=False)
        assert refused.status_code == 403
        assert "Ce formulaire a expiré" in html.unescape(refused.text)
        assert 'value="Camille"' in refused.text
        forged = client.post("/gers/candidater", data={"csrf": "forged", **answers()})
        assert forged.status_code == 403
        assert inquiries(instance) == []


def test_honeypot_looks_accepted_but_nothing_is_stored_nor_sent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="campagne.features.inquiries.pages")
    with smtp_server(monkeypatch) as inbox, serve(tmp_path) as (client, instance):
        caught = send_form(client, website="http://spam.example")
        assert caught.status_code == 303
        assert caught.headers["location"] == "/gers/candidater/merci"
        assert inquiries(instance) == []
        deliver(instance)
        assert inbox.messages == []
        assert "the hidden field was filled; nothing stored" in caplog.text
        assert "camille" not in caplog.text.lower()


def test_one_connection_serves_several_candidates_and_holds_back_floods(
        tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two sendings per (address, e-mail) pair, five per address: several people behind one
    shared connection each get through; one person repeating, or a flood under changing
    e-mail addresses, is held back, and the page and the API say which limit and how long."""
    monkeypatch.setenv("CAMPAGNE_INQUIRY_RATE_LIMIT", "2")
    monkeypatch.setenv("CAMPAGNE_INQUIRY_ADDRESS_LIMIT", "5")
    with serve(tmp_path, database_url) as (client, instance):
        for _ in range(2):
            assert send_form(client, email="p0@example.org").status_code == 303
        repeated = send_form(client, email="P0@example.org ")  # the same address, typed again
        assert repeated.status_code == 429
        wait = int(repeated.headers["retry-after"])
        assert 0 < wait <= 3600
        assert (f"Cette adresse électronique a atteint la limite de 2 demandes depuis "
                f"cette connexion "
                f"en 60 minutes. Vous pourrez envoyer de nouveau dans "
                f"{format_wait(wait, locale='fr')}.") in html.unescape(repeated.text)
        assert "Vos réponses sont conservées ci-dessous" in html.unescape(repeated.text)
        assert 'value="P0@example.org "' in repeated.text
        assert '<form' in repeated.text  # the styled form page, not raw JSON
        # other people behind the same connection
        for index in (1, 2, 3):
            assert send_form(client, email=f"p{index}@example.org").status_code == 303
        flood = send_form(client, "/gers/apply?lang=en", email="p4@example.org")
        assert flood.status_code == 429
        assert (f"Your connection has reached the limit of 5 inquiries in 60 minutes, all "
                f"senders together. You may send again in "
                f"{format_wait(int(flood.headers['retry-after']), locale='en')}."
                ) in html.unescape(flood.text)
        api = client.post("/api/v1/regions/orne/inquiries", headers={"Accept-Language": "en"},
                          json={"first_name": "A", "last_name": "B", "email": "a@example.org",
                                "consent": True})
        assert api.status_code == 429
        assert api.json()["detail"] == (
            "Your connection has reached the limit of 5 inquiries in 60 minutes, all senders "
            f"together. You may send again in "
            f"{format_wait(int(api.headers['retry-after']), locale='en')}.")
        assert len(inquiries(instance)) == 5


def test_api_says_which_limit_in_french(tmp_path: Path, database_url: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAGNE_INQUIRY_RATE_LIMIT", "1")
    body = {"first_name": "A", "last_name": "B", "email": "a@example.org", "consent": True}
    with serve(tmp_path, database_url) as (client, instance):
        first = client.post("/api/v1/regions/orne/inquiries", json=body,
                            headers={"Accept-Language": "fr"})
        assert first.status_code == 201 and first.json()["acknowledgement"] == "queued"
        again = client.post("/api/v1/regions/orne/inquiries", json=body,
                            headers={"Accept-Language": "fr"})
        assert again.status_code == 429
        assert again.json()["detail"] == (
            "Cette adresse électronique a atteint la limite de 1 demandes depuis cette "
            "connexion en "
            f"60 minutes. Vous pourrez envoyer de nouveau dans "
            f"{format_wait(int(again.headers['retry-after']), locale='fr')}.")
        other = client.post("/api/v1/regions/orne/inquiries", json={
            **body, "email": "b@example.org"})
        assert other.status_code == 201
        assert len(inquiries(instance)) == 2


def test_counters_keep_no_e_mail_address_in_clear(tmp_path: Path) -> None:
    with serve(tmp_path) as (client, instance):
        assert send_form(client, email="secret.person@example.org").status_code == 303
        with Session(instance.engine) as session:
            keys = session.exec(select(LoginAttempt.key)).all()
        assert len(keys) == 2 and all(key.startswith("inquiry:") for key in keys)
        assert not any("secret" in key for key in keys)


def test_thanks_page_promises_an_e_mail_only_when_one_can_go(
        tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAGNE_SMTP_PORT", str(free_port()))  # nobody listens there
    with serve(tmp_path, database_url) as (client, instance):
        first = send_form(client, email="first@example.org")
        assert first.headers["location"] == "/gers/candidater/merci?mail=queued"
        assert deliver(instance).retried == 1  # the outbox now knows sending fails
        second = send_form(client, email="second@example.org")
        assert second.headers["location"] == "/gers/candidater/merci?mail=delayed"
        page = html.unescape(client.get(second.headers["location"]).text)
        assert ("attend d’être envoyé\u00a0: nos courriels ne partent pas en ce moment"
                in page)
        assert QUEUED_FR not in page
        api = client.post("/api/v1/regions/orne/inquiries", headers={"Accept-Language": "en"},
                          json={"first_name": "A", "last_name": "B", "email": "a@example.org",
                                "consent": True})
        assert api.status_code == 201 and api.json()["acknowledgement"] == "delayed"
        assert "may come late" in api.json()["detail"]
        # no parameter (a robot caught by the honeypot), or one made up: no promise
        for query in ("", "?mail=sent-for-sure"):
            neutral = html.unescape(client.get(f"/gers/candidater/merci{query}").text)
            assert "L’équipe de Soho Solo Gers vous contactera bientôt." in neutral
            assert "accusé de réception" not in neutral
        none = html.unescape(client.get("/gers/apply/thanks?mail=none&lang=en").text)
        assert "No e-mail will be sent to you now, as no e-mail address was given." in none


def test_a_worker_that_never_runs_makes_the_thanks_page_say_so(
        tmp_path: Path, database_url: str) -> None:
    with serve(tmp_path, database_url) as (client, instance):
        assert send_form(client, email="first@example.org").headers["location"].endswith(
            "?mail=queued")
        with Session(instance.engine) as session:  # nobody took it for twenty minutes
            for mail in session.exec(select(OutboxMail)).all():
                mail.created_at = utc_now() - dt.timedelta(minutes=20)
                session.add(mail)
            session.commit()
        later = send_form(client, email="second@example.org")
        assert later.headers["location"] == "/gers/candidater/merci?mail=delayed"


def test_an_smtp_server_that_is_down_loses_no_inquiry(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("CAMPAGNE_SMTP_PORT", str(free_port()))  # nobody listens there
    caplog.set_level(logging.WARNING, logger="campagne.outbox.sending")
    with serve(tmp_path) as (client, instance):
        assert send_form(client).status_code == 303
        assert len(inquiries(instance)) == 1
        assert deliver(instance).retried == 1
        with Session(instance.engine) as session:
            [mail] = session.exec(select(OutboxMail)).all()
        assert (mail.kind, mail.state, mail.region_slug) == (
            "inquiry_acknowledgement", "queued", "gers")
        assert mail.last_error and "ConnectionRefusedError" in mail.last_error
        assert "not sent" in caplog.text and "camille@example.org" not in caplog.text


PROFILE = {"status": "founder", "sector": "communication_design", "origin_department": "69"}


def test_form_prefilled_from_non_personal_fields_and_profile_kept(tmp_path: Path) -> None:
    with serve(tmp_path) as (client, instance):
        page = client.get("/gers/candidater", params={
            **PROFILE, "first_name": "Intrus", "email": "intrus@example.org"}).text
        assert re.search(r'value="founder" checked', page)
        assert re.search(r'<option value="communication_design" selected', page)
        assert 'id="origin_department" name="origin_department" type="text" value="69"' in page
        # personal fields are never prefilled from an address
        assert 'value="Intrus"' not in page and 'value="intrus@example.org"' not in page
        for name, value in PROFILE.items():
            assert f'name="profile_{name}" value="{value}"' in page
        ignored = client.get("/gers/candidater?sector=astrology&status=king").text
        assert "profile_" not in ignored
        sent = client.post("/gers/candidater", follow_redirects=False, data={
            "csrf": csrf_of(page), **{f"profile_{k}": v for k, v in PROFILE.items()},
            **answers(status="independent")})
        assert sent.status_code == 303
        [row] = inquiries(instance)
        assert row.profile == PROFILE
        assert row.status == "independent"  # the person changed it; the profile keeps both


def test_simulator_result_links_each_region_to_its_prefilled_form(tmp_path: Path) -> None:
    with serve(tmp_path) as (client, _):
        query = {**PROFILE, "commute_minutes_one_way": "45", "housing_budget_eur": "250000"}
        page = client.get("/simulateur", params=query).text
        expected = ("?status=founder&amp;sector=communication_design&amp;"
                    "origin_department=69")
        assert f'href="/gers/candidater{expected}"' in page
        assert f'href="/orne/candidater{expected}"' in page
        assert "Envoyer une demande à Soho Solo Gers" in page
        links = re.findall(r'class="inquiry-link"><a href="([^"]+)"', page)
        assert len(links) == 2 and not any("housing" in link or "commute" in link
                                           for link in links)
        english = client.get("/gers/simulator", params={**query, "lang": "en"}).text
        assert f'href="/gers/apply{expected}"' in english
        assert "Send an inquiry to Soho Solo Gers" in english
        assert "inquiry-link" not in client.get("/gers/simulateur").text  # no result yet
        opened = client.get(links[0].replace("&amp;", "&")).text
        assert re.search(r'value="founder" checked', opened)


EXTRA_FORM: dict[str, Any] = {
    "fields": {"phone": {"required": True},
               "activity": {"label": {"fr": "Votre métier", "en": "Your trade"}},
               "message": {"required": True}},
    "extra_fields": [
        {"key": "village", "label": {"fr": "Village souhaité", "en": "Village you like"}},
        {"key": "housing", "label": {"fr": "Logement", "en": "Housing"}, "kind": "choice",
         "required": True, "choices": [{"value": "rent", "label": {"fr": "Location"}},
                                       {"value": "buy", "label": {"fr": "Achat",
                                                                  "en": "To buy"}}]},
        {"key": "visit", "label": "Je souhaite une visite", "kind": "boolean"},
    ],
    "heard_from_choices": [{"value": "fair", "label": "Salon"},
                           {"value": "friend", "label": {"fr": "Un ami", "en": "A friend"}}],
    "consent_purpose": {"fr": "J'accepte que la CCI du Lot garde ces réponses.",
                        "en": "I agree that the Lot chamber keeps these answers."},
}


def test_a_region_adds_questions_relabels_and_requires_fields(tmp_path: Path,
                                                              database_url: str) -> None:
    kit = RegionKit(tmp_path / "regions")
    lot = kit.region("lot", config=minimal_region("lot", inquiry_form=EXTRA_FORM))
    with serve(tmp_path, database_url, [lot]) as (client, instance):
        page = html.unescape(client.get("/lot/candidater").text)
        for text in ("Votre métier", "Village souhaité", "Logement", "Location",
                     "Je souhaite une visite", "Questions du programme", "Salon", "Un ami",
                     "J'accepte que la CCI du Lot garde ces réponses."):
            assert text in page, text
        assert 'name="extra_village"' in page and "Un moteur de recherche" not in page
        english = client.get("/lot/apply?lang=en").text
        assert "Your trade" in english and "To buy" in english and "Location" in english
        client.get("/lot/candidater?lang=fr")
        missing = send_form(client, "/lot/candidater", phone="", message="",
                            heard_from="fair", extra_village="Figeac")
        assert missing.status_code == 422
        for name in ("phone", "message", "extra_housing"):
            assert f'href="#{name}"' in missing.text, name
        assert 'value="Figeac"' in missing.text
        wrong = send_form(client, "/lot/candidater", heard_from="press", extra_housing="castle")
        assert wrong.status_code == 422
        assert 'id="heard_from-error"' in wrong.text and 'id="extra_housing-error"' in wrong.text
        sent = send_form(client, "/lot/candidater", heard_from="friend",
                         extra_village=" Figeac ", extra_housing="buy", extra_visit="on")
        assert sent.status_code == 303
        [row] = inquiries(instance)
        assert row.answers == {"village": "Figeac", "housing": "buy", "visit": True}
        assert row.heard_from == "friend"
        assert row.consent_purpose == "J'accepte que la CCI du Lot garde ces réponses."


def test_keep_application_is_recorded_with_the_answers(tmp_path: Path) -> None:
    with serve(tmp_path) as (client, instance):
        assert send_form(client, keep_application="on").status_code == 303
        assert send_form(client, email="other@example.org").status_code == 303
        kept, plain = inquiries(instance)
        assert kept.answers == {"keep_application": True} and plain.answers == {}
