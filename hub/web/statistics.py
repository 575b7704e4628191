"""Public statistics, a page of the portal: /statistics (the whole network) and /statistics/<slug>
(one member), in the portal's design and languages.

The headline figures (records, records with full text) are read the way the home page and the
institution pages read them (hub.web.portal.data, from the search index), so the pages agree; the
breakdowns (by year, type, language, subject), the growth over time and the usage counts are the
aggregates of hub.stats. Every code is shown as a word in the visitor's language (a language code
as its name, a resource type as its label). Charts are hub.web.charts' inline SVG with a table of
the same figures beside each; a bar or column is a link to the records behind it (a search with its
year, type, language, subject or full-text filter, kept to the member on a member's page), a region's
bar to the members in that region.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, abort, render_template, url_for
from flask_babel import gettext
from sqlalchemy import select

from hub.app import current_hub
from hub.models import Institution
from hub.normalise.vocab import canonical_subject
from hub.stats.aggregates import HoldingStats, holdings
from hub.web import charts
from hub.web.portal import data
from hub.web.portal.labels import language_name, region_name, type_label

bp = Blueprint("statistics", __name__)
UNKNOWN = "unknown"


@dataclass
class Figure:
    """One chart of the page and the rows of its table alternative."""

    key: str
    title: str
    svg: str
    rows: list[tuple[str, int]] = field(default_factory=list)
    column: str = ""  # the table's first column heading


def _label_rows(rows: list[tuple[str, int]], label) -> list[tuple[str, int]]:
    return [(gettext("Unknown") if value == UNKNOWN else label(value), n) for value, n in rows]


def _search(slug: str | None, **args: str) -> str:
    """The search of the records behind a bar: ``args`` as filters, on ``slug``'s records when given."""
    params: dict[str, Any] = {"institution": slug, **args} if slug else dict(args)
    return url_for("portal.search", **params)


def _facet_links(rows: list[tuple[str, int]], facet: str, slug: str | None) -> list[str | None]:
    """A search per bar, by the raw facet value (none for unknown values, nor for subjects cut short)."""
    links: list[str | None] = []
    for value, _n in rows:
        if value == UNKNOWN or (facet == "subject" and len(value) >= 80):
            links.append(None)
        else:
            links.append(_search(slug, **{facet: canonical_subject(value) if facet == "subject" else value}))
    return links


def figures(stats: HoldingStats, records: int, fulltext: int,
            regions: list[tuple[str, int]] | None = None, slug: str | None = None) -> list[Figure]:
    """The charts of one statistics page, titled and labelled in the visitor's language; ``regions``
    (the network page's records by the members' province or region) already labelled. Bars and
    columns link to the records behind them, ``slug``'s only on a member's page."""
    years = [(int(y), n) for y, n in stats.by_year if y.isdigit()]
    growth = charts.cumulative(years)
    out = [Figure("growth", gettext("Growth: records published up to each year"),
                  charts.line_chart(growth, gettext("Growth: records published up to each year")),
                  growth, gettext("Year"))]
    if len(stats.growth) > 1:
        title = gettext("Records held by the hub at the end of each month")
        out.append(Figure("held", title, charts.line_chart(stats.growth, title), stats.growth, gettext("Month")))
    title = gettext("Records by year of publication")
    year_links = {y: _search(slug, **{"from": str(y), "to": str(y)}) for y, _n in years}
    out.append(Figure("years", title, charts.column_chart(years, title, links=year_links),
                      [(str(y), n) for y, n in years], gettext("Year")))
    for key, facet, rows, label, title, column in (
            ("types", "type", stats.by_type, type_label, gettext("Records by resource type"), gettext("Resource type")),
            ("languages", "language", stats.by_language, language_name, gettext("Records by language"),
             gettext("Language")),
            ("subjects", "subject", stats.by_subject, str, gettext("Most frequent subjects"), gettext("Subject"))):
        labelled = _label_rows(rows, label)
        out.append(Figure(key, title, charts.bar_chart(labelled, title, links=_facet_links(rows, facet, slug)),
                          labelled, column))
    if regions:
        title = gettext("Records by region")
        region_links = [None if name == gettext("Unknown") else url_for("portal.institutions", region=name,
                                                                         _anchor="members") for name, _n in regions]
        out.append(Figure("regions", title, charts.bar_chart(regions, title, links=region_links), regions,
                          gettext("Region")))
    coverage = [(gettext("With full text"), fulltext), (gettext("Metadata only"), max(records - fulltext, 0))]
    title = gettext("Full-text coverage")
    coverage_links = [_search(slug, fulltext="true"), _search(slug, fulltext="false")]
    out.append(Figure("fulltext", title, charts.bar_chart(coverage, title, links=coverage_links), coverage,
                      gettext("Records")))
    return out


def records_by_region(rows: list[data.InstitutionRow]) -> list[tuple[str, int]]:
    """Live records summed by the members' province or region, named in the visitor's language,
    most records first (members without a region under "Unknown")."""
    sums: dict[str, int] = {}
    for row in rows:
        name = region_name(row.region) if row.region else gettext("Unknown")
        sums[name] = sums.get(name, 0) + row.records
    return sorted(((k, n) for k, n in sums.items() if n), key=lambda kv: (-kv[1], kv[0]))


def _members() -> list[Institution]:
    with current_hub().db.session() as session:
        return list(session.scalars(select(Institution).where(Institution.removed_at.is_(None))
                                    .order_by(Institution.slug)))


def _render(institution: Institution | None):
    hub = current_hub()
    with hub.db.session() as session:
        stats = holdings(session, institution.id if institution else None)
    regions: list[tuple[str, int]] = []
    if institution is None:
        totals = data.totals(hub)
        records, fulltext = totals["records"], totals["fulltext"]
        regions = records_by_region(data.institutions(hub))
    else:
        values, records = data.facet_values(hub, "fulltext", 2, institution=[institution.slug])
        totals = {}
        fulltext = next((v.count for v in values if v.value == "true"), 0)
    return render_template("statistics.html", stats=stats, institution=institution, members=_members(),
                           records=records, fulltext=fulltext, totals=totals,
                           coverage=fulltext / records if records else 0.0,
                           figures=figures(stats, records, fulltext, regions,
                                           institution.slug if institution else None))


@bp.get("/statistics")
def network():
    """Statistics of the whole network."""
    return _render(None)


@bp.get("/statistics/<slug>")
def member(slug: str):
    """Statistics of one member institution."""
    with current_hub().db.session() as session:
        institution = session.scalar(select(Institution).where(Institution.slug == slug))
    if institution is None or institution.removed:
        abort(404)
    return _render(institution)


def init_app(app: Flask) -> None:
    """Register the public statistics pages and the usage counting hook."""
    from hub.web.usage_hooks import init_app as count_usage_on

    app.register_blueprint(bp)
    count_usage_on(app)
