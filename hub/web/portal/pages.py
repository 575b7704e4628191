"""Portal pages around search: home, institutions, browse, Atom/RSS feeds, sitemaps and robots.txt.

Feeds carry text, never harvested markup: titles and summaries have their HTML reduced to text
(hub.normalise.text.clean_markup); Atom says ``type="text"``, and an RSS description, which feed
readers render as HTML, is that text HTML-escaped, so nothing a repository sent becomes markup in
a reader.
"""

from __future__ import annotations

import html
import re
from xml.etree import ElementTree as ET

from flask import Response, abort, render_template, request, url_for
from flask_babel import get_locale
from sqlalchemy import func, select

from hub.app import current_hub
from hub.models import Institution, Record, Repository
from hub.normalise.text import clean_markup
from hub.search import SearchError, search_backend
from hub.web.ids import MAX_ID
from hub.web.portal import bp, data
from hub.web.portal.labels import discipline_groups
from hub.web.portal.views import request_from_args

SITEMAP_SIZE = 50_000
BROWSE = {"subject": "subject", "discipline": "discipline", "year": "year", "type": "type"}
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _lang() -> str:
    return str(get_locale())[:2]


@bp.get("/")
def home():
    """Search box, totals, members with counts, newest records and output by year."""
    hub = current_hub()
    return render_template("home.html", totals=data.totals(hub), institutions=data.institutions(hub),
                           newest=data.newest(hub, 8), years=data.year_counts(hub))


@bp.get("/institutions/")
def institutions():
    """The members on a map of China, then their list with record counts; ``?region=`` (a province in
    any common form, or a region as registered) keeps the list to that province's members. A region
    that is no province and no member's gives the page with a clear empty list and 404."""
    from flask_babel import gettext

    from hub.web import china_map

    lang = _lang()
    rows = data.institutions(current_hub())
    members = {r.slug: china_map.MapMember(r.name(lang), url_for("portal.institution", slug=r.slug), r.records)
               for r in rows}
    provinces, elsewhere = china_map.province_rows((r.region, members[r.slug]) for r in rows)
    asked = (request.args.get("region") or "").strip()[:64]
    selected = china_map.province_of(asked) if asked else None
    listed = rows
    if selected is not None:
        listed = [r for r in rows if china_map.province_of(r.region) == selected]
    elif asked:
        listed = [r for r in rows if r.region.strip().casefold() == asked.casefold()]
    unknown = bool(asked) and selected is None and not listed
    figure = china_map.china_map(
        provinces, title=gettext("Members by province"), lang=lang, selected=selected,
        region_href=lambda p: url_for("portal.institutions", region=p.en, _anchor="members"))
    page = render_template("institutions.html", institutions=listed, provinces=provinces, elsewhere=elsewhere,
                           china_map=figure, map_legend=china_map.legend(provinces), asked=asked,
                           selected=selected, unknown=unknown, total=len(rows))
    return page, 404 if unknown else 200


@bp.get("/institutions/<slug>")
def institution(slug: str):
    """A member's profile, leading with its showcase (output by discipline, top researchers, partners,
    growth, open-access share: hub.web.portal.showcase), then repositories, types, recent records."""
    hub = current_hub()
    with hub.db.session() as session:
        inst = session.scalar(select(Institution).where(Institution.slug == slug))
        if inst is None or inst.removed:
            abort(404)
        repos = list(session.scalars(select(Repository).where(Repository.institution_id == inst.id,
                                                              Repository.removed_at.is_(None))
                                     .order_by(Repository.id)))
        counts = dict(session.execute(select(Record.repository_id, func.count(Record.id)).where(
            Record.repository_id.in_([r.id for r in repos]), Record.deleted.is_(False))
            .group_by(Record.repository_id)).all())
    from hub.web.portal.showcase import change, growth_note, institution_showcase, percent

    types, total = data.facet_values(hub, "type", 50, institution=[slug])
    years = data.year_counts(hub, institution=[slug])
    return render_template("institution.html", institution=inst, repositories=repos, repo_counts=counts,
                           types=types, total=total, years=years, recent=data.newest(hub, 10, institution=[slug]),
                           showcase=institution_showcase(slug, years), percent=percent, change=change,
                           growth_note=growth_note)


@bp.get("/browse/")
def browse_index():
    """The ways to browse: by subject, discipline, year and resource type."""
    return render_template("browse_index.html", kinds=BROWSE)


@bp.get("/browse/<kind>")
def browse(kind: str):
    """Every value of a facet with its record count, each linking to its search."""
    if kind not in BROWSE:
        abort(404)
    values, total = data.facet_values(current_hub(), BROWSE[kind], 500)
    if kind == "year":
        values = sorted(values, key=lambda v: v.value, reverse=True)
    groups = discipline_groups(values, _lang()) if kind == "discipline" else []
    return render_template("browse.html", kind=kind, facet=BROWSE[kind], values=values, total=total,
                           groups=groups, names=data.name_lookup(current_hub(), _lang()))


def _xml_text(value: str) -> str:
    return _ILLEGAL_XML.sub("", value or "")


def feed_text(value: str, limit: int = 2000) -> str:
    """Harvested text as a feed carries it: markup reduced to text, characters illegal in XML gone."""
    return _xml_text(clean_markup(value or ""))[:limit]


def rss_html(value: str, limit: int = 2000) -> str:
    """An RSS description (HTML for feed readers) showing harvested text as text."""
    return html.escape(feed_text(value, limit), quote=False)


@bp.get("/feeds/<kind>")
def feed(kind: str):
    """Atom (/feeds/atom) or RSS 2.0 (/feeds/rss) of the newest records of a search or an institution."""
    if kind not in ("atom", "rss"):
        abort(404)
    hub = current_hub()
    try:
        req = request_from_args(request.args, 50)
        req.sort, req.size, req.page, req.facets, req.highlight = "newest", min(req.size, 100), 1, False, False
        result = search_backend(hub).search(req)
    except SearchError as exc:
        return Response(str(exc), status=400, mimetype="text/plain")
    base = hub.settings["BASE_URL"].rstrip("/")
    site = hub.settings["REPOSITORY_NAME"]
    query = request.query_string.decode("utf-8", "replace")
    self_url = f"{base}{request.path}" + (f"?{query}" if query else "")
    title = f"{site}: {request.args.get('q') or ', '.join(sum(req.filters.values(), [])) or 'new records'}"
    if kind == "atom":
        root = ET.Element("feed", xmlns="http://www.w3.org/2005/Atom")
        ET.SubElement(root, "title").text = _xml_text(title)
        ET.SubElement(root, "id").text = self_url
        ET.SubElement(root, "link", rel="self", href=self_url)
        ET.SubElement(root, "updated").text = max((h.doc.get("hub_datestamp") or "" for h in result.hits),
                                                  default="1970-01-01T00:00:00Z")
        for hit in result.hits:
            entry = ET.SubElement(root, "entry")
            url = f"{base}/records/{hit.id}"
            ET.SubElement(entry, "title", type="text").text = feed_text(hit.doc.get("title") or str(hit.id))
            ET.SubElement(entry, "id").text = url
            ET.SubElement(entry, "link", href=url)
            ET.SubElement(entry, "updated").text = hit.doc.get("hub_datestamp") or "1970-01-01T00:00:00Z"
            for name in hit.doc.get("creators") or []:
                ET.SubElement(ET.SubElement(entry, "author"), "name").text = feed_text(name)
            if hit.doc.get("abstract"):
                ET.SubElement(entry, "summary", type="text").text = feed_text(hit.doc["abstract"])
        mimetype = "application/atom+xml"
    else:
        root = ET.Element("rss", version="2.0")
        channel = ET.SubElement(root, "channel")
        ET.SubElement(channel, "title").text = _xml_text(title)
        ET.SubElement(channel, "link").text = self_url
        ET.SubElement(channel, "description").text = _xml_text(title)
        for hit in result.hits:
            item = ET.SubElement(channel, "item")
            url = f"{base}/records/{hit.id}"
            ET.SubElement(item, "title").text = feed_text(hit.doc.get("title") or str(hit.id))
            ET.SubElement(item, "link").text = url
            ET.SubElement(item, "guid").text = url
            if hit.doc.get("abstract"):
                ET.SubElement(item, "description").text = rss_html(hit.doc["abstract"])
        mimetype = "application/rss+xml"
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return Response(body, mimetype=mimetype, headers={"Content-Type": f"{mimetype}; charset=utf-8"})


def _urlset(urls: list[str]) -> Response:
    root = ET.Element("urlset", xmlns="http://www.sitemaps.org/schemas/sitemap/0.9")
    for u in urls:
        ET.SubElement(ET.SubElement(root, "url"), "loc").text = u
    return Response(b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8"),
                    mimetype="application/xml")


@bp.get("/sitemap.xml")
def sitemap_index():
    """A sitemap index: the portal pages, then record sitemaps of 50,000 ids each."""
    hub = current_hub()
    base = hub.settings["BASE_URL"].rstrip("/")
    with hub.db.session() as session:
        top = session.scalar(select(func.max(Record.id))) or 0
    root = ET.Element("sitemapindex", xmlns="http://www.sitemaps.org/schemas/sitemap/0.9")
    locs = [base + url_for("portal.sitemap_pages")]
    locs += [base + url_for("portal.sitemap_records", n=n) for n in range(top // SITEMAP_SIZE + 1)] if top else []
    for loc in locs:
        ET.SubElement(ET.SubElement(root, "sitemap"), "loc").text = loc
    return Response(b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8"),
                    mimetype="application/xml")


@bp.get("/sitemaps/pages.xml")
def sitemap_pages():
    """Home, browse pages and every institution."""
    hub = current_hub()
    base = hub.settings["BASE_URL"].rstrip("/")
    urls = [base + url_for("portal.home"), base + url_for("portal.institutions")]
    urls += [base + url_for("portal.browse", kind=k) for k in BROWSE]
    urls += [base + url_for("portal.institution", slug=i.slug) for i in data.institutions(hub)]
    return _urlset(urls)


@bp.get("/sitemaps/records-<int:n>.xml")
def sitemap_records(n: int):
    """Live records with ids in [n*50000+1, (n+1)*50000] (a range costs the same wherever it is)."""
    if n > MAX_ID // SITEMAP_SIZE:  # past every record id the database can hold
        abort(404)
    hub = current_hub()
    base = hub.settings["BASE_URL"].rstrip("/")
    with hub.db.session() as session:
        ids = list(session.scalars(select(Record.id).where(
            Record.id > n * SITEMAP_SIZE, Record.id <= (n + 1) * SITEMAP_SIZE, Record.deleted.is_(False))
            .order_by(Record.id)))
    if not ids and n > 0:
        abort(404)
    return _urlset([f"{base}/records/{i}" for i in ids])


@bp.get("/robots.txt")
def robots():
    """Crawlers welcome on records and pages; not on endless search and API URLs."""
    base = current_hub().settings["BASE_URL"].rstrip("/")
    body = ("User-agent: *\nDisallow: /search\nDisallow: /api/\nDisallow: /admin/\nDisallow: /feeds/\n"
            f"Allow: /\n\nSitemap: {base}/sitemap.xml\n")
    return Response(body, mimetype="text/plain")
