"""The files a site answers for crawlers and browsers: ``/robots.txt``, ``/sitemap.xml``
and ``/favicon.ico``."""

from __future__ import annotations

from xml.etree import ElementTree

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from campagne import i18n
from campagne.api.catalogue import ServiceCatalogue
from campagne.instance import Instance

router = APIRouter(include_in_schema=False)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
# Built-in features whose public page of a region is in the sitemap when the feature is on
# there, with that page's path under the region.
REGION_FEATURE_PAGES = (("meetups", "rencontres"), ("spaces", "espaces"),
                        ("simulator", "simulateur"), ("inquiries", "candidater"))
# Site-wide pages, each shown when its feature is on in at least one region.
SITE_FEATURE_PAGES = (("simulator", "/simulateur"), ("statistics", "/comparer"))
# What crawlers are asked to leave alone besides each region's staff pages.
PRIVATE_PREFIXES = ("/account/", "/admin/", "/metrics", "/healthz", "/readyz",
                    "/api/v1/auth/", "/api/v1/me", "/api/v1/admin/", "/api/v1/simulator")
# The region's API paths that hold or take people's records.
PRIVATE_REGION_API = ("members", "inquiries")
CACHE = {"Cache-Control": "public, max-age=3600"}


def public_base(instance: Instance) -> str:
    """The instance's public address without a trailing slash (``CAMPAGNE_PUBLIC_URL``)."""
    return instance.settings.public_url.rstrip("/")


def public_paths(instance: Instance, catalogue: ServiceCatalogue) -> list[str]:
    """The public pages of the site: its home and site-wide pages, then every served
    region's home, services, each service, the pages of the features on there and its
    privacy notice."""
    manager = instance.plugins
    slugs = sorted(instance.regions)
    paths = ["/"]
    paths += [path for feature, path in SITE_FEATURE_PAGES
              if any(manager.feature_enabled(feature, slug) for slug in slugs)]
    for slug in slugs:
        services = catalogue.get(slug, i18n.SUPPORTED[0]).by_slug
        paths += [f"/{slug}/", f"/{slug}/services",
                  *(f"/{slug}/services/{service}" for service in sorted(services))]
        paths += [f"/{slug}/{page}" for feature, page in REGION_FEATURE_PAGES
                  if manager.feature_enabled(feature, slug)]
        paths.append(f"/{slug}/privacy")
    return paths


def language_links(base: str, path: str) -> dict[str, str]:
    """The absolute address of ``path`` in each language, and ``x-default`` (the address
    without a language, which follows the visitor's browser)."""
    links = {language: f"{base}{path}?lang={language}" for language in i18n.SUPPORTED}
    links["x-default"] = f"{base}{path}"
    return links


def sitemap_xml(base: str, paths: list[str]) -> bytes:
    """A sitemap (sitemaps.org 0.9) with one entry per page and language, each naming every
    language version as an ``xhtml:link`` alternate."""
    ElementTree.register_namespace("", SITEMAP_NS)
    ElementTree.register_namespace("xhtml", XHTML_NS)
    urlset = ElementTree.Element(f"{{{SITEMAP_NS}}}urlset")
    for path in paths:
        links = language_links(base, path)
        for language in i18n.SUPPORTED:
            url = ElementTree.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
            ElementTree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = links[language]
            for hreflang, href in links.items():
                ElementTree.SubElement(url, f"{{{XHTML_NS}}}link", rel="alternate",
                                       hreflang=hreflang, href=href)
    document: bytes = ElementTree.tostring(urlset, encoding="utf-8", xml_declaration=True)
    return document


def robots_txt(base: str, region_slugs: list[str]) -> str:
    """The rules for crawlers: the private paths disallowed (written out for each region,
    since not every crawler reads wildcards), everything else allowed, and the sitemap."""
    lines = ["User-agent: *"]
    lines += [f"Disallow: {prefix}" for prefix in PRIVATE_PREFIXES]
    for slug in region_slugs:
        lines.append(f"Disallow: /{slug}/staff/")
        lines += [f"Disallow: /api/v1/regions/{slug}/{name}" for name in PRIVATE_REGION_API]
    lines += ["Allow: /", "", f"Sitemap: {base}/sitemap.xml", ""]
    return "\n".join(lines)


@router.get("/robots.txt")
def robots(request: Request) -> Response:
    """``/robots.txt``."""
    instance: Instance = request.app.state.instance
    return Response(robots_txt(public_base(instance), sorted(instance.regions)),
                    media_type="text/plain; charset=utf-8", headers=CACHE)


@router.get("/sitemap.xml")
def sitemap(request: Request) -> Response:
    """``/sitemap.xml``: the public pages of every served region, in both languages."""
    instance: Instance = request.app.state.instance
    paths = public_paths(instance, request.app.state.catalogue)
    return Response(sitemap_xml(public_base(instance), paths),
                    media_type="application/xml", headers=CACHE)


@router.get("/favicon.ico")
def favicon() -> RedirectResponse:
    """Browsers ask for ``/favicon.ico`` whatever the page links to: send them to the
    site's icon."""
    return RedirectResponse("/static/core/favicon.svg", status_code=301)
