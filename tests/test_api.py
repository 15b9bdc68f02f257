"""The JSON API: regions, key figures, services, plug-ins, health, OpenAPI."""

from __future__ import annotations

from fastapi.testclient import TestClient

# Fields of a member record; a programme's own contact (phone, e-mail) is public.
PERSONAL_FIELDS = {"first_name", "last_name", "siret", "business_name", "arrival_date",
                   "consent_purpose", "origin_area", "member_id"}


def _keys(value: object) -> set[str]:
    """Every key of every mapping inside ``value``."""
    if isinstance(value, dict):
        return set(value) | {k for item in value.values() for k in _keys(item)}
    if isinstance(value, list):
        return {k for item in value for k in _keys(item)}
    return set()


def test_health_reports_the_database_and_regions(demo_client: TestClient) -> None:
    answer = demo_client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "ok", "regions": ["gers", "orne"]}


def test_regions_carry_code_name_and_programme(demo_client: TestClient) -> None:
    regions = {r["slug"]: r for r in demo_client.get("/api/v1/regions").json()}
    assert regions["gers"]["code"] == "32"
    assert regions["gers"]["programme"]["name"] == "Soho Solo Gers"
    assert regions["gers"]["programme"]["operator"] == "CCI du Gers"
    assert regions["orne"]["code"] == "61"
    assert "Zevillage" in regions["orne"]["programme"]["operator"]


def test_region_detail_gives_every_sector_and_sourced_figures(demo_client: TestClient) -> None:
    detail = demo_client.get("/api/v1/regions/gers").json()
    sectors = detail["key_figures"]["members_by_sector"]
    assert sum(row["members"] for row in sectors) == detail["key_figures"]["members_total"]
    assert {"69.20Z", "70.22Z"} <= set(sectors[0]["naf_codes"])
    published = {f["key"]: f for f in detail["published_figures"]}
    assert published["members"]["value"] == 350
    assert "Challenges" in published["members"]["source"]["title"]
    for figure in detail["published_figures"]:
        assert figure["source"] or figure["illustrative"]


def test_region_detail_speaks_the_askers_language_each_time(demo_client: TestClient) -> None:
    """The answer is kept once written, per language: each asker still gets theirs."""
    def labels(language: str) -> list[str]:
        answer = demo_client.get("/api/v1/regions/gers", headers={"Accept-Language": language})
        assert answer.status_code == 200 and answer.headers["content-type"] == \
            "application/json"
        return [row["label"] for row in answer.json()["key_figures"]["members_by_sector"]]

    french, english = labels("fr"), labels("en")
    assert french != english and len(french) == len(english)
    assert labels("fr") == french and labels("en") == english


def test_no_personal_data_in_any_public_answer(demo_client: TestClient) -> None:
    for path in ("/api/v1/regions", "/api/v1/regions/gers", "/api/v1/regions/orne",
                 "/api/v1/regions/gers/services", "/api/v1/plugins"):
        assert not _keys(demo_client.get(path).json()) & PERSONAL_FIELDS, path


def test_gers_offers_the_twelve_services_of_the_programme(demo_client: TestClient) -> None:
    services = demo_client.get("/api/v1/regions/gers/services").json()
    categories = {service["category"] for service in services}
    assert len(categories) == 12
    assert all(s["url"] == f"/api/v1/regions/gers/services/{s['slug']}" for s in services)


def test_services_filter_by_category(demo_client: TestClient) -> None:
    answer = demo_client.get("/api/v1/regions/orne/services", params={"category": "office_access"})
    assert answer.status_code == 200
    slugs = {service["slug"] for service in answer.json()}
    # Added by the Orne's coworking_network plug-in, one per telecentre.
    assert slugs == {"telecentre-boitron", "telecentre-belleme"}
    assert {s["plugin"] for s in answer.json()} == {"orne.coworking_network"}


def test_unknown_category_is_a_422_naming_the_field(demo_client: TestClient) -> None:
    answer = demo_client.get("/api/v1/regions/gers/services", params={"category": "spa"})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "query.category"


def test_one_service_and_unknown_service(demo_client: TestClient) -> None:
    answer = demo_client.get("/api/v1/regions/gers/services/bureaux-haut-debit")
    assert answer.status_code == 200
    assert answer.json()["category"] == "office_access"
    missing = demo_client.get("/api/v1/regions/gers/services/nothing")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Unknown service 'nothing'"}


def test_unknown_region_is_a_json_404(demo_client: TestClient) -> None:
    for path in ("/api/v1/regions/cantal", "/api/v1/regions/cantal/services"):
        answer = demo_client.get(path)
        assert answer.status_code == 404
        assert answer.json() == {"detail": "Unknown region 'cantal'"}


def test_category_labels_follow_the_language(demo_client: TestClient) -> None:
    def label(language: str) -> str:
        services = demo_client.get("/api/v1/regions/gers/services",
                                   params={"category": "welcome"},
                                   headers={"Accept-Language": language}).json()
        return str(services[0]["category_label"])

    assert label("en") == "Welcome committee"
    assert label("fr") != label("en")


def test_plugins_list_sources_regions_and_health(demo_client: TestClient) -> None:
    plugins = {p["name"]: p for p in demo_client.get("/api/v1/plugins").json()}
    assert plugins["gers.free_offices"]["regions"] == ["gers"]
    assert plugins["gers.free_offices"]["source"] == "region"
    assert plugins["orne.coworking_network"]["regions"] == ["orne"]
    assert plugins["business_support"]["source"] == "shared"
    assert plugins["business_support"]["regions"] == ["gers", "orne"]
    assert all(p["status"] == "ok" for p in plugins.values())
    assert plugins["gers.free_offices"]["settings_schema"]["properties"]["telecentres"]
    # Where each comes from, without a path of the server's; the tables each keeps.
    assert plugins["gers.free_offices"]["origin"] == "plugins/free_offices.py"
    assert plugins["business_support"]["origin"] == "campagne.plugins.business_support"
    assert all(p["tables"] == [] for p in plugins.values())


def test_openapi_documents_every_route_with_examples(demo_client: TestClient) -> None:
    document = demo_client.get("/openapi.json").json()
    for path in ("/healthz", "/api/v1/regions", "/api/v1/regions/{slug}",
                 "/api/v1/regions/{slug}/services", "/api/v1/plugins",
                 "/api/v1/regions/gers/plugins/free_offices/desk-value"):
        assert path in document["paths"], path
    region = document["components"]["schemas"]["RegionSummary"]["properties"]
    assert region["slug"]["examples"] == ["gers"]
    not_found = document["paths"]["/api/v1/regions/{slug}"]["get"]["responses"]["404"]
    assert "ErrorOut" in str(not_found)
