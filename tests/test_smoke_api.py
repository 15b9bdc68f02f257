"""The reference regions answer through the API."""

from fastapi.testclient import TestClient


def test_regions_list_both_reference_regions(demo_client: TestClient) -> None:
    answer = demo_client.get("/api/v1/regions")
    assert answer.status_code == 200
    assert [region["slug"] for region in answer.json()] == ["gers", "orne"]


def test_gers_key_figures_match_the_published_ones(demo_client: TestClient) -> None:
    figures = demo_client.get("/api/v1/regions/gers").json()["key_figures"]
    by_sector = {row["sector"]: row["members"] for row in figures["members_by_sector"]}
    assert figures["members_total"] == 350
    assert by_sector["audit_consulting_training"] == 70
    assert by_sector["it_internet_ecommerce"] == 57
