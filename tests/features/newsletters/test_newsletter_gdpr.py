"""What the newsletters hold of a person under the GDPR: the member's export has their
consent (date, source, withdrawal) and the newsletters sent to them; erasing the member
deletes both (the newsletter's figures stay); a prospect's consent goes with their inquiry
once it is anonymised at the end of its retention period; the privacy notice says so."""

from __future__ import annotations

from pathlib import Path

from accounts_kit import sign_in_world as sign_in
from accounts_kit import world
from inquiry_kit import new_inquiry
from newsletters_kit import newsletter, subscribe, subscription, written
from sqlmodel import Session, select

from campagne.features.newsletters.models import NewsletterSend, Subscription
from campagne.models import utc_now
from campagne.operations.inquiry_privacy import anonymise_inquiry
from campagne.operations.models import Inquiry
from campagne.retention import purge_plugin_data


def test_export_then_erasure_of_a_member(tmp_path: Path) -> None:
    with world(tmp_path) as w:
        csrf = sign_in(w, "member")
        w.client.post("/account/newsletter", data={"csrf": csrf, "subscribe": "on"})
        staff = sign_in(w, "staff_gers")
        letter = written(w, staff, segment="members", subject="Lettre de mars")
        w.client.post(f"/gers/staff/newsletters/{letter}/send", data={"csrf": staff})
        assert newsletter(w, letter).sent_count >= 1

        sign_in(w, "member")
        data = w.client.get("/account/export").json()
        [consent] = data["newsletter_subscriptions"]
        assert consent["source"] == "account" and consent["consented_at"]
        assert consent["unsubscribed_at"] is None
        assert [item["subject"] for item in data["newsletters_received"]] == ["Lettre de mars"]

        csrf = sign_in(w, "member")
        w.client.post("/account/newsletter", data={"csrf": csrf})  # withdraw
        [withdrawn] = w.client.get("/account/export").json()["newsletter_subscriptions"]
        assert withdrawn["unsubscribed_at"] is not None
        assert "Désabonnement enregistré le" in w.client.get("/account/").text

        response = w.client.post(f"/api/v1/regions/gers/members/{w.gers_member}/erase",
                                 headers=w.headers("staff_gers"))
        assert response.status_code == 200, response.text
        with Session(w.instance.engine) as session:
            assert session.exec(select(Subscription).where(
                Subscription.member_id == w.gers_member)).all() == []
            assert session.exec(select(NewsletterSend)).all() == []
        stored = newsletter(w, letter)
        assert stored.sent_count >= 1  # figures stay


def test_a_prospects_consent_goes_with_the_anonymised_inquiry(tmp_path: Path) -> None:
    with world(tmp_path) as w:
        inquiry = new_inquiry(w)
        kept = subscribe(w, inquiry_id=new_inquiry(w, email="reste@example.org"))
        gone = subscribe(w, inquiry_id=inquiry)
        with Session(w.instance.engine) as session:
            row = session.get(Inquiry, inquiry)
            assert row is not None
            anonymise_inquiry(session, row)
            session.commit()
            removed = purge_plugin_data(session, w.instance, utc_now().date())
        assert removed["campagne.newsletters"] == 1
        assert subscription(w, gone) is None and subscription(w, kept) is not None


def test_the_privacy_notice_says_what_is_kept(tmp_path: Path) -> None:
    with world(tmp_path) as w:
        page = w.client.get("/gers/privacy").text
        assert "lettre d’information" in page and "ni les ouvertures ni les clics" in page
