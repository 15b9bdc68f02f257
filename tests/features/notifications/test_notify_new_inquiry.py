"""The region's staff are told of each new inquiry by e-mail (real SMTP), each in their
language, without the message; read-only staff, those who switched it off and regions
that switch it off in ``region.yaml`` receive nothing; a region's template overrides the
engine's."""

from __future__ import annotations

from pathlib import Path

import pytest
from mail_kit import deliver, smtp_server
from notifications_kit import INQUIRY, STAFF, add_staff, lot_folder, switch_off

from campagne.testing import RegionKit

URL = "/api/v1/regions/lot/inquiries"


def test_staff_are_told_in_their_language_with_a_link_and_no_message(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kit = RegionKit(tmp_path)
    with smtp_server(monkeypatch) as inbox, kit.client([lot_folder(kit)]) as client:
        instance = client.app.state.instance  # type: ignore[attr-defined]
        add_staff(instance)
        created = client.post(URL, json=INQUIRY)
        assert created.status_code == 201
        deliver(instance)
        inquiry_id = created.json()["id"]
        french, english = inbox.to(STAFF["fr"]), inbox.to(STAFF["en"])
        assert len(french) == len(english) == 1 and inbox.to(STAFF["reader"]) == []
        assert french[0]["Subject"].replace("\u00a0", " ") == (
            "Programme d'essai : nouvelle demande de Noé Castagnet")
        assert english[0]["Subject"] == "Programme d'essai: new inquiry from Noé Castagnet"
        text = english[0].get_content()
        site = instance.settings.public_url.rstrip("/")
        assert f"{site}/lot/staff/inquiries/{inquiry_id}" in text
        assert "When they would like to move: Within a year" in text
        assert "Installation souhaitée\u00a0: D’ici un an" in french[0].get_content()
        for message in french + english:
            body = message.get_content()
            assert INQUIRY["message"] not in body and INQUIRY["email"] not in body


def test_who_switched_it_off_receives_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kit = RegionKit(tmp_path)
    with smtp_server(monkeypatch) as inbox, kit.client([lot_folder(kit)]) as client:
        instance = client.app.state.instance  # type: ignore[attr-defined]
        ids = add_staff(instance)
        switch_off(instance, ids["fr"], "new_inquiry")
        assert client.post(URL, json=INQUIRY).status_code == 201
        deliver(instance)
        assert inbox.to(STAFF["fr"]) == [] and len(inbox.to(STAFF["en"])) == 1


def test_a_region_switches_the_notice_off(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kit = RegionKit(tmp_path)
    folder = lot_folder(kit, notifications={"new_inquiry": False})
    with smtp_server(monkeypatch) as inbox, kit.client([folder]) as client:
        instance = client.app.state.instance  # type: ignore[attr-defined]
        add_staff(instance)
        assert client.post(URL, json=INQUIRY).status_code == 201
        deliver(instance)
        assert [m["To"] for m in inbox.messages] == [INQUIRY["email"]]  # the acknowledgement


def test_a_region_template_overrides_the_engine_one_per_language(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kit = RegionKit(tmp_path)
    folder = lot_folder(kit, mail={
        "new_inquiry.fr.txt": "Lot : {{ name }} a écrit\n\nVoir {{ url }}\n"})
    with smtp_server(monkeypatch) as inbox, kit.client([folder]) as client:
        instance = client.app.state.instance  # type: ignore[attr-defined]
        add_staff(instance)
        assert client.post(URL, json=INQUIRY).status_code == 201
        deliver(instance)
        french, english = inbox.to(STAFF["fr"])[0], inbox.to(STAFF["en"])[0]
        assert french["Subject"] == "Lot : Noé Castagnet a écrit"
        site = instance.settings.public_url.rstrip("/")
        assert french.get_content().startswith(f"Voir {site}/lot/staff/inquiries/")
        assert english["Subject"].endswith("new inquiry from Noé Castagnet")  # the engine's
