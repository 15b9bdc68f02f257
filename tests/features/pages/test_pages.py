"""The public pages of the reference regions, read as a browser would get them: content,
languages, errors, security headers and accessible structure (parsed with html.parser)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from html_kit import NBSP, Element, assert_accessible_structure, parse, squash
from httpx import Response

from campagne.i18n import LANG_COOKIE

PAGES = ["/", "/gers/", "/orne/", "/gers/services", "/gers/services?category=office_access",
         "/orne/services", "/gers/services/comite-accueil", "/orne/services/coworking",
         "/orne/services/telecentre-boitron", "/gers/privacy", "/account/sign-in"]
NOT_FOUND_PAGES = ["/nowhere/", "/nowhere/services", "/gers/services/nothing-here",
                   "/gers/nothing/deeper"]
GERS_SERVICES = 12
ORNE_SERVICES = 9  # seven in region.yaml, two telecentres from the coworking_network plug-in


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def client(demo_client: TestClient) -> Iterator[TestClient]:
    """The shared demo client (``demo_client`` starts and ends without a cookie)."""
    yield demo_client


def page(client: TestClient, path: str, params: dict[str, str] | None = None) -> Element:
    """GET ``path``, check it is a 200 HTML page, return its tree."""
    answer = client.get(path, params=params)
    assert answer.status_code == 200, (path, answer.status_code)
    assert answer.headers["content-type"].startswith("text/html")
    return parse(answer.text)


def main_of(document: Element) -> Element:
    """The page's <main>."""
    return document.find("main")


# --- the list of regions and a region's home ---------------------------------------------------


def test_index_lists_both_regions(client: TestClient) -> None:
    document = page(client, "/")
    assert document.find("h1").text == "Programmes de télétravail à la campagne"
    cards = {card.find("a").get("href"): card for card in main_of(document).find_all(
        "li", class_="card")}
    assert set(cards) == {"/gers/", "/orne/"}
    assert cards["/gers/"].find("h2").text == "Gers (32)"
    assert "Soho Solo Gers" in cards["/gers/"].text
    assert cards["/gers/"].find("p", class_="members").text == "350 membres"
    assert cards["/orne/"].find("h2").text == "Orne (61)"
    assert "Télétravailler dans l'Orne" in cards["/orne/"].text


def test_gers_home_shows_the_programme(client: TestClient) -> None:
    main = main_of(page(client, "/gers/"))
    assert main.find("h1").text == "Soho Solo Gers"
    assert "Small Office Home Office" in main.find("p", class_="lead").text
    facts = dict(zip([dt.text for dt in main.find_all("dt")],
                     [dd.text for dd in main.find_all("dd")], strict=True))
    assert facts["Porté par"] == "CCI du Gers"
    assert facts["Département"] == "Gers (32), Occitanie (ex-Midi-Pyrénées)"
    assert facts["Site internet"] == "https://www.soho-solo-gers.com"
    assert facts["Depuis"].startswith("2005 Chiffre illustratif")


def test_gers_home_shows_the_key_figures_and_the_sector_table(client: TestClient) -> None:
    main = main_of(page(client, "/gers/"))
    assert squash(main.find("p", class_="big-number").text) == "350 membres aujourd’hui"
    table = main.find("table")
    assert table.find("caption").text == "Membres par secteur d’activité"
    assert [th.text for th in table.find("thead").find_all("th")] == [
        "Secteur", "Membres", "Part"]
    rows = {row.find("th").text: [cell.text for cell in row.find_all("td")]
            for row in table.find("tbody").find_all("tr")}
    assert rows["Audit, conseil et formation"] == ["70", f"20,0{NBSP}%"]
    assert rows["Conseil informatique, internet, e-commerce et vente par correspondance"] == [
        "57", f"16,3{NBSP}%"]
    assert sum(int(members) for members, _share in rows.values()) == 350


def test_gers_home_shows_the_published_figures_with_their_source(client: TestClient) -> None:
    figures = main_of(page(client, "/gers/")).find("ul", class_="published")
    items = {item.find("strong").text: item for item in figures.find_all("li")}
    assert set(items) == {"350", "70", "57", "1", "52", "8"}
    members = items["350"]
    assert "membres installés (« Soho Solos »)" in members.text
    source = members.find("span", class_="source")
    assert squash(source.text) == (
        "Source : Challenges, « Ces régions françaises qui draguent les télétravailleurs »")
    assert "marketing-territorial.org" in items["52"].find("span", class_="source").text
    assert not figures.find_all("span", class_="illustrative")  # every one is sourced


def test_gers_home_groups_the_services_by_category(client: TestClient) -> None:
    section = main_of(page(client, "/gers/")).find("section", aria_labelledby="services-title")
    groups = {group.find("h3").text: [link.get("href") for link in group.find_all("a")]
              for group in section.find_all("li", class_="category-group")}
    assert len(groups) == GERS_SERVICES
    assert list(groups)[:3] == ["Comité d’accueil", "Aide à l’installation",
                                "Suivi du projet professionnel"]
    assert groups["Comité d’accueil"] == ["/gers/services/comite-accueil"]
    assert groups["Bureaux équipés en haut débit"] == ["/gers/services/bureaux-haut-debit"]
    assert section.find("a", class_="more").get("href") == "/gers/services"


def test_orne_home_uses_the_region_template_override(client: TestClient) -> None:
    main = main_of(page(client, "/orne/"))
    network = main.find("section", aria_labelledby="network-title")
    assert network.find("h2").text == "Le réseau des télécentres"
    assert [item.text for item in network.find_all("li")] == ["Boitron", "Bellême"]
    # the override extends the core template through the ``core:`` prefix: all of it is there
    assert main.find("h1").text == "Télétravailler dans l'Orne"
    assert main.find("h2", id="figures-title").text == "Chiffres clés"
    assert main.find("table").find("caption").text == "Membres par secteur d’activité"
    groups = {group.find("h3").text: [link.get("href") for link in group.find_all("a")]
              for group in main.find_all("li", class_="category-group")}
    assert groups["Bureaux équipés en haut débit"] == [
        "/orne/services/telecentre-belleme", "/orne/services/telecentre-boitron"]
    assert not main_of(page(client, "/gers/")).find_all("section",
                                                       aria_labelledby="network-title")


def test_core_prefix_names_the_core_template(demo_client: TestClient) -> None:
    renderer = demo_client.app.state.renderer  # type: ignore[attr-defined]
    orne = renderer.by_region["orne"]
    assert orne.get_template("region_home.html").filename.endswith(
        "regions/orne/templates/region_home.html")
    assert orne.get_template("core:region_home.html").filename.endswith(
        "templates/region_home.html")
    assert "regions/orne" not in orne.get_template("core:region_home.html").filename
    gers = renderer.by_region["gers"]
    assert "regions/" not in gers.get_template("region_home.html").filename


@pytest.mark.parametrize(("language", "badge"), [("fr", "Chiffre illustratif"),
                                                 ("en", "Illustrative figure")])
def test_illustrative_figures_are_marked(client: TestClient, language: str, badge: str) -> None:
    main = main_of(page(client, "/orne/", params={"lang": language}))
    members = next(item for item in main.find("ul", class_="published").find_all("li")
                   if item.find("strong").text == "120")
    assert members.has_class("illustrative")
    assert members.find("span", class_="illustrative").text == badge
    assert "illustrative" in members.find("span", class_="badge").get("class")
    note = members.find("span", class_="note").text
    assert note.startswith({"fr": "Le télétravail dans l'Orne est difficile à compter",
                            "en": "Telework in the Orne is hard to count"}[language])
    sourced = next(item for item in main.find("ul", class_="published").find_all("li")
                   if item.find("strong").text == "300")
    assert not sourced.find_all("span", class_="illustrative")
    facts = dict(zip([dt.text for dt in main.find_all("dt")],
                     [dd for dd in main.find_all("dd")], strict=True))
    population = facts["Population"]
    assert population.find("span", class_="illustrative").text == badge


# --- the service catalogue and the service pages --------------------------------------------


def _cards(main: Element) -> dict[str, Element]:
    return {card.find("a").get("href"): card for card in main.find_all("li", class_="card")}


def test_catalogue_lists_every_service_with_a_plain_get_form(client: TestClient) -> None:
    document = page(client, "/gers/services")
    main = main_of(document)
    form = main.find("form")
    assert form.get("method") == "get" and form.get("action") == "/gers/services"
    select = form.find("select", name="category")
    assert main.find("label", for_="category").text == "Catégorie"
    options = [option.get("value") for option in select.find_all("option")]
    assert options[0] == "" and "office_access" in options and len(options) == 13
    assert form.find("button").get("type") == "submit"
    cards = _cards(main)
    assert len(cards) == GERS_SERVICES
    assert squash(main.find("p", class_="count").text) == "12 services"
    welcome = cards["/gers/services/comite-accueil"]
    assert welcome.find("h2").text == "Comité d'accueil"
    assert welcome.find("p", class_="category").text == "Comité d’accueil"
    assert welcome.find("p", class_="price").text == "Gratuit pour les membres"
    assert not document.find_all("script")


def test_catalogue_filters_by_category(client: TestClient) -> None:
    main = main_of(page(client, "/gers/services", params={"category": "office_access"}))
    assert list(_cards(main)) == ["/gers/services/bureaux-haut-debit"]
    selected = [option.get("value") for option in main.find_all("option")
                if "selected" in option.attrs]
    assert selected == ["office_access"]
    assert squash(main.find("p", class_="count").text).startswith("1 service ·")
    assert main.find("p", class_="count").find("a").get("href") == "/gers/services"

    orne = main_of(page(client, "/orne/services", params={"category": "office_access"}))
    cards = _cards(orne)
    assert list(cards) == ["/orne/services/telecentre-belleme",
                           "/orne/services/telecentre-boitron"]
    price = cards["/orne/services/telecentre-boitron"].find("p", class_="price")
    assert price.text.startswith(f"10,00{NBSP}€ la journée")
    assert price.find("span", class_="illustrative").text == "Chiffre illustratif"


def test_catalogue_with_an_empty_or_unknown_category_shows_everything(
        client: TestClient) -> None:
    for category in ("", "no_such_category"):
        main = main_of(page(client, "/orne/services", params={"category": category}))
        assert len(_cards(main)) == ORNE_SERVICES
        assert not [option for option in main.find_all("option") if "selected" in option.attrs]


def test_a_category_without_services_says_so(client: TestClient) -> None:
    main = main_of(page(client, "/orne/services", params={"category": "financing"}))
    assert not _cards(main)
    assert "Aucun service dans cette catégorie." in main.text


def test_every_service_has_its_page(client: TestClient) -> None:
    for slug, count in (("gers", GERS_SERVICES), ("orne", ORNE_SERVICES)):
        services = client.get(f"/api/v1/regions/{slug}/services").json()
        assert len(services) == count
        for service in services:
            main = main_of(page(client, f"/{slug}/services/{service['slug']}"))
            assert main.find("h1").text == service["name"]["fr"]
            crumbs = main.find("nav", class_="breadcrumb")
            assert [link.get("href") for link in crumbs.find_all("a")][:2] == [
                f"/{slug}/", f"/{slug}/services"]


def test_service_page_shows_what_who_and_price(client: TestClient) -> None:
    main = main_of(page(client, "/gers/services/bureaux-haut-debit"))
    facts = dict(zip([dt.text for dt in main.find_all("dt")],
                     [dd.text for dd in main.find_all("dd")], strict=True))
    assert main.find("h1").text == "Bureaux équipés en haut débit"
    assert facts["Assuré par"] == "Réseau des télécentres du Gers"
    assert facts["Prix"] == "Gratuit pour les membres"
    assert facts["Qui peut en bénéficier"] == "Membres du programme."
    assert facts["Catégorie"] == "Bureaux équipés en haut débit"

    telecentre = main_of(page(client, "/orne/services/telecentre-boitron", params={
        "lang": "en"}))
    facts = dict(zip([dt.text for dt in telecentre.find_all("dt")],
                     [dd.text for dd in telecentre.find_all("dd")], strict=True))
    assert telecentre.find("h1").text == "Boitron telecentre"
    assert facts["Price"] == "€10.00 a day Illustrative figure"
    assert facts["Offered through"] == "the plug-in orne.coworking_network"


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", NOT_FOUND_PAGES)
def test_unknown_pages_get_a_friendly_html_404(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "Traceback" not in answer.text and 'File "' not in answer.text
    assert "content-security-policy" in answer.headers
    document = parse(answer.text)
    main = main_of(document)
    assert main.find("h1").text == "Page introuvable"
    assert main.find("p", class_="lead").text in {
        "Ce département n’est pas présent sur ce site.", "Ce service n’existe pas.",
        "Cette page n’existe pas."}
    ways_back = [link.get("href") for link in main.find_all("a")]
    assert ways_back == (["/gers/", "/"] if path.startswith("/gers/") else ["/"])
    assert document.find("nav", class_="languages")

    english = parse(client.get(path, params={"lang": "en"}).text)
    assert english.find("html").get("lang") == "en"
    assert main_of(english).find("h1").text == "Page not found"


def test_unknown_region_and_service_messages(client: TestClient) -> None:
    region = main_of(parse(client.get("/nowhere/").text))
    assert region.find("p", class_="lead").text == "Ce département n’est pas présent sur ce site."
    service = main_of(parse(client.get("/gers/services/nothing-here", params={
        "lang": "en"}).text))
    assert service.find("p", class_="lead").text == "This service does not exist."


@pytest.mark.parametrize("path", ["/api/v1/regions/nowhere", "/api/v1/regions/nowhere/services",
                                  "/api/v1/regions/gers/services/nothing-here",
                                  "/api/v1/nothing", "/api/"])
def test_unknown_api_paths_get_a_json_404(client: TestClient, path: str) -> None:
    answer = client.get(path, headers={"Accept": "text/html"})
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/json"
    assert set(answer.json()) == {"detail"}


# --- languages ---------------------------------------------------------------------------------


def _lang(answer: Response) -> str:
    return parse(answer.text).find("html").get("lang")


def test_french_is_the_default(client: TestClient) -> None:
    answer = client.get("/gers/")
    assert _lang(answer) == "fr"
    assert answer.headers["content-language"] == "fr"


def test_lang_parameter_then_its_cookie_choose_english(client: TestClient) -> None:
    chosen = client.get("/gers/", params={"lang": "en"})
    assert _lang(chosen) == "en"
    assert chosen.headers["set-cookie"].startswith(f"{LANG_COOKIE}=en;")
    assert client.cookies.get(LANG_COOKIE) == "en"
    following = client.get("/orne/services")  # the cookie set by the previous answer
    assert _lang(following) == "en"
    assert "set-cookie" not in following.headers
    back = client.get("/orne/services", params={"lang": "fr"})
    assert _lang(back) == "fr"
    assert _lang(client.get("/")) == "fr"


@pytest.mark.parametrize(("header", "expected"), [
    ("en", "en"), ("en-GB,en;q=0.9", "en"), ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
    ("de;q=1.0, en;q=0.5, fr;q=0.4", "en"), ("de", "fr"),
])
def test_accept_language_chooses_without_a_choice(client: TestClient, header: str,
                                                  expected: str) -> None:
    assert _lang(client.get("/gers/", headers={"Accept-Language": header})) == expected


@pytest.mark.parametrize("path", [*PAGES, NOT_FOUND_PAGES[0]])
def test_every_page_has_the_language_switch(client: TestClient, path: str) -> None:
    answer = client.get(path)
    switch = parse(answer.text).find("nav", class_="languages")
    assert switch.get("aria-label") == "Langue"
    links = {link.get("hreflang"): link for link in switch.find_all("a")}
    assert set(links) == {"fr", "en"}
    assert links["fr"].text == "Français" and links["fr"].get("aria-current") == "true"
    assert links["en"].text == "English" and links["en"].get("lang") == "en"
    english = links["en"].get("href")
    assert english.split("?")[0] == path.split("?")[0]
    assert "lang=en" in english
    if "?" in path:  # the rest of the query is kept
        assert path.split("?")[1] in english


def test_french_and_english_pages_differ(client: TestClient) -> None:
    french = main_of(page(client, "/gers/"))
    english = main_of(page(client, "/gers/", params={"lang": "en"}))  # sets the cookie
    headings = [(fr.text, en.text) for fr, en in zip(
        french.find_all("h2"), english.find_all("h2"), strict=True)]
    assert ("Chiffres clés", "Key figures") in headings
    assert french.find("p", class_="lead").text != english.find("p", class_="lead").text
    assert english.find("caption").text == "Members by sector of activity"
    english_rows = [row.find("th").text for row in english.find("tbody").find_all("tr")]
    assert english_rows[0] == "Audit, consulting and training"
    assert english.find("tbody").find_all("td")[1].text == "20.0%"
    french_services = [a.text for a in french.find_all("a") if "/services/" in a.get("href")]
    english_services = [a.text for a in english.find_all("a") if "/services/" in a.get("href")]
    assert "Comité d'accueil" in french_services and "Welcome committee" in english_services
    assert "Comité d'accueil" not in english_services

    services_fr = page(client, "/gers/services", params={"lang": "fr"})
    services_en = page(client, "/gers/services", params={"lang": "en"})
    assert services_fr.find("button").text == "Filtrer"
    assert services_en.find("button").text == "Filter"
    assert services_en.find("label").text == "Category"
    assert services_en.find("option").text == "All categories"


# --- security headers and structure ----------------------------------------------------------


@pytest.mark.parametrize("path", [*PAGES, NOT_FOUND_PAGES[0]])
def test_pages_send_the_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    policy = headers["content-security-policy"]
    directives = dict(item.strip().split(" ", 1) for item in policy.split(";"))
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("path", [*PAGES, NOT_FOUND_PAGES[0]])
def test_pages_have_an_accessible_structure(client: TestClient, path: str) -> None:
    document = parse(client.get(path).text)
    assert document.find("html").get("lang") == "fr"
    assert_accessible_structure(document)


def test_internal_links_of_the_pages_lead_somewhere(client: TestClient) -> None:
    seen: set[str] = set()
    for path in PAGES:
        document = parse(client.get(path).text)
        for element in document.iter():
            target = element.get("href") or element.get("src")
            if target.startswith("/") and target not in seen:
                seen.add(target)
                assert client.get(target).status_code == 200, (path, target)
    assert "/static/core/campagne.css" in seen and "/gers/theme.css" in seen


def test_style_sheets_are_served_as_css(client: TestClient) -> None:
    core = client.get("/static/core/campagne.css")
    assert core.headers["content-type"].startswith("text/css")
    assert "--brand" in core.text
    theme = client.get("/orne/theme.css")
    assert theme.headers["content-type"].startswith("text/css")
    assert theme.text.startswith(":root { --brand: #245b2c; --accent: #a3262a; }\n")
    assert "@font-face { font-family: 'Bitter';" in theme.text  # the region's fonts
    assert client.get("/nowhere/theme.css").status_code == 404
