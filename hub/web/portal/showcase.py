"""The showcase pages of the portal: disciplines (学科) and collaboration (合作), bilingual.

- ``/disciplines``: the network's first-level disciplines under their categories;
- ``/disciplines/<code>``: one discipline (each member's output by year, growth, open-access and
  full-text share, most active researchers, subjects); ``.csv`` the member x year table (UTF-8 with
  a byte order mark, so Excel opens the Chinese names right); ``/report`` a printable report (the
  print stylesheet makes it a plain A4 document);
- ``/collaboration``: members working together as a network and a matrix (a heat map table), the
  disciplines meeting in the same works and the works crossing most disciplines; ``?institution=``
  one member's.

Figures come from :mod:`hub.showcase.figures` (the aggregate tables, never the records). A
malformed discipline code is a 400, an unknown one a 404. Every chart is hub.web.charts' SVG with
its table alternative; a bar or column leads to the records behind it (a search with the
discipline, member and year).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from flask import Blueprint, Flask, Response, abort, render_template, request, url_for
from flask_babel import get_locale, gettext

from hub.app import current_hub
from hub.showcase import figures
from hub.web import charts
from hub.web.portal.labels import discipline_name
from hub.web.statistics import Figure

bp = Blueprint("showcase", __name__)
PAGE_YEARS = 10  # year columns of the member x year table on the page (the CSV has every year)
HEAT_LEVELS = 5
MATRIX_MEMBERS = 20  # rows and columns of the collaboration matrix on the page (the most linked members)
PAIRS_SHOWN = 50  # pairs listed on the page (the API pages through every pair)
NETWORK_EDGES = 200  # the strongest pairs drawn in the network


def _lang() -> str:
    return str(get_locale() or "zh")[:2]


def records_url(code: str | None = None, slug: str | None = None, year: int | None = None,
                subject: str | None = None) -> str:
    """The search listing the records behind a figure: a discipline, a member, a year, a subject."""
    args: dict[str, Any] = {}
    if code:
        args["discipline"] = code
    if slug:
        args["institution"] = slug
    if subject:
        args["subject"] = subject
    if year:
        args["from"] = args["to"] = year
    return url_for("portal.search", **args)


def percent(share: figures.Share) -> str:
    """A share as a percentage for people (``–`` without a whole)."""
    return f"{share.ratio * 100:.1f}%" if share.whole else "–"


def change(growth: figures.Growth) -> str:
    """A growth as a signed percentage (``–`` when there was nothing before)."""
    value = growth.change
    return "–" if value is None else f"{value * 100:+.0f}%"


def growth_note(growth: figures.Growth) -> str:
    """What a growth compares, in words."""
    return gettext("%(recent)s records in %(start)s-%(end)s against %(previous)s in %(pstart)s-%(pend)s",
                   recent=f"{growth.recent:,}", previous=f"{growth.previous:,}",
                   start=growth.year - figures.WINDOW + 1, end=growth.year,
                   pstart=growth.year - 2 * figures.WINDOW + 1, pend=growth.year - figures.WINDOW)


def heat(weight: int, strongest: int) -> int:
    """The heat map level (1-5) of a weight against the strongest (0: none)."""
    if weight <= 0:
        return 0
    return max(1, min(HEAT_LEVELS, -(-HEAT_LEVELS * weight // max(strongest, 1))))


def year_columns(years: list[int], limit: int = PAGE_YEARS) -> list[int]:
    """The years shown as columns on a page: the latest ``limit``."""
    return years[-limit:]


def _code_or_error(code: str) -> str | Response:
    """The checked code, or the page answering a bad one (400 malformed, 404 unknown)."""
    try:
        return figures.parse_code(code)
    except figures.MalformedCode:
        body = render_template("discipline_error.html",
                               message=gettext("A discipline code has four digits, such as 0812; “%(code)s” is not one.",
                                               code=code[:20]))
        return Response(body, status=400, mimetype="text/html")
    except figures.UnknownDiscipline:
        abort(404)


def _discipline_figures(detail: figures.DisciplineDetail, lang: str) -> list[Figure]:
    code = detail.code
    out = []
    title = gettext("Records by year of publication")
    years = detail.network.years()
    out.append(Figure("years", title, charts.column_chart(years, title, links={y: records_url(code, year=y)
                                                                              for y, _ in years}),
                      [(str(y), n) for y, n in years], gettext("Year")))
    title = gettext("Records by member")
    rows = [(m.member.name(lang), m.output.records) for m in detail.members]
    out.append(Figure("members", title, charts.bar_chart(rows, title, links=[records_url(code, m.member.slug)
                                                                             for m in detail.members]),
                      rows, gettext("Member")))
    title = gettext("Growth: records published up to each year")
    growth = charts.cumulative(years)
    out.append(Figure("growth", title, charts.line_chart(growth, title), growth, gettext("Year")))
    if detail.subjects:
        title = gettext("Subjects inside the discipline")
        out.append(Figure("subjects", title, charts.bar_chart(detail.subjects, title, links=[
            records_url(code, subject=s) for s, _ in detail.subjects]), detail.subjects, gettext("Subject")))
    return out


def _detail(code: str) -> figures.DisciplineDetail:
    with current_hub().db.session() as session:
        return figures.discipline(session, code)


@bp.get("/disciplines")
def disciplines():
    """The network's disciplines under their categories."""
    lang = _lang()
    with current_hub().db.session() as session:
        view = figures.overview(session)
    top = sorted(view.disciplines, key=lambda d: (-d.output.records, d.code))[:20]
    title = gettext("Disciplines with most records")
    rows = [(discipline_name(d.code, lang), d.output.records) for d in top]
    chart = Figure("top", title, charts.bar_chart(rows, title, links=[
        url_for("showcase.discipline", code=d.code) for d in top]), rows, gettext("Discipline"))
    return render_template("disciplines.html", view=view, chart=chart, percent=percent, change=change,
                           growth_note=growth_note)


@bp.get("/disciplines/<code>")
def discipline(code: str):
    """One first-level discipline: its members' output by year, growth, shares, researchers, subjects."""
    checked = _code_or_error(code)
    if isinstance(checked, Response):
        return checked
    detail = _detail(checked)
    lang = _lang()
    return render_template("discipline.html", detail=detail, figures=_discipline_figures(detail, lang),
                           columns=year_columns(detail.years), records_url=records_url, percent=percent,
                           change=change, growth_note=growth_note)


def member_year_rows(detail: figures.DisciplineDetail, lang: str) -> tuple[list[str], list[list[Any]]]:
    """The member x year table: a header and one row per member, then the network's (every year,
    then unknown years and the total)."""
    years = detail.years
    header = [gettext("Member"), gettext("Short name"), *map(str, years), gettext("Year unknown"), gettext("Total")]

    def row(name: str, slug: str, out: figures.Output) -> list[Any]:
        return [name, slug, *(out.by_year.get(y, 0) for y in years), out.by_year.get(0, 0), out.records]

    rows = [row(m.member.name(lang), m.member.slug, m.output) for m in detail.members]
    rows.append(row(gettext("Whole network"), "", detail.network))
    return header, rows


@bp.get("/disciplines/<code>.csv")
def discipline_csv(code: str):
    """The member x year table of one discipline as CSV (UTF-8 with a byte order mark)."""
    checked = _code_or_error(code)
    if isinstance(checked, Response):
        return checked
    header, rows = member_year_rows(_detail(checked), _lang())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    body = "\ufeff" + buffer.getvalue()
    return Response(body.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Type": "text/csv; charset=utf-8",
                             "Content-Disposition": f'attachment; filename="discipline-{checked}.csv"'})


@bp.get("/disciplines/<code>/report")
def discipline_report(code: str):
    """One discipline as a printable report (A4 through the print stylesheet)."""
    checked = _code_or_error(code)
    if isinstance(checked, Response):
        return checked
    detail = _detail(checked)
    lang = _lang()
    header, rows = member_year_rows(detail, lang)
    return render_template("discipline_report.html", detail=detail, header=header, rows=rows,
                           figures=_discipline_figures(detail, lang)[:2], percent=percent, change=change,
                           growth_note=growth_note, made=datetime.now(UTC).strftime("%Y-%m-%d"))


def _network_chart(view: figures.CollaborationFigures, lang: str) -> Figure:
    nodes = view.nodes
    index = {m.id: i for i, m in enumerate(nodes)}
    weight = {m.id: 0 for m in nodes}
    for p in view.pairs:
        weight[p.a.id] += p.weight
        weight[p.b.id] += p.weight
    title = gettext("Members linked by shared works and researchers")
    svg = charts.network_chart([(m.name(lang), weight[m.id], url_for("portal.institution", slug=m.slug))
                                for m in nodes],
                               [(index[p.a.id], index[p.b.id], p.weight) for p in view.pairs[:NETWORK_EDGES]],
                               title)
    rows = [(f"{p.a.name(lang)} – {p.b.name(lang)}", p.weight) for p in view.pairs]
    return Figure("network", title, svg, rows, gettext("Members"))


def _meeting_figure(view: figures.CollaborationFigures, lang: str) -> Figure:
    title = gettext("Disciplines meeting in the same works")
    rows = [(f"{discipline_name(m.a, lang)} + {discipline_name(m.b, lang)}", m.works) for m in view.meeting]
    return Figure("meeting", title, charts.bar_chart(rows, title), rows, gettext("Disciplines"))


@bp.get("/collaboration")
def collaboration():
    """Collaboration between members and interdisciplinarity, network-wide or of one member."""
    lang = _lang()
    slug = request.args.get("institution", "")
    hub = current_hub()
    with hub.db.session() as session:
        member = figures.member_by_slug(session, slug) if slug else None
        if slug and member is None:
            abort(404)
        view = figures.collaboration(session, member)
        scope = sorted(figures.members(session).values(), key=lambda m: m.slug)
    strongest = view.strongest
    heat_of = partial(heat, strongest=strongest)
    nodes = view.nodes[:MATRIX_MEMBERS]
    return render_template("collaboration.html", view=view, member=member, scope=scope, nodes=nodes,
                           matrix=view.matrix(MATRIX_MEMBERS), pairs=view.pairs[:PAIRS_SHOWN],
                           network=_network_chart(view, lang), meeting=_meeting_figure(view, lang),
                           heat=heat_of, levels=HEAT_LEVELS,
                           # one translation for every cell of the matrix, formatted per cell
                           cell_title=gettext("%(a)s – %(b)s: %(works)s shared works, "
                                              "%(researchers)s shared researchers"))


@dataclass
class InstitutionShowcase:
    """What a member's page leads with: its figures, the charts and their tables."""

    shown: figures.MemberShowcase
    growth: figures.Growth
    charts: list[Figure]
    meeting: list[tuple[str, int]]


def institution_showcase(slug: str, years: list[tuple[int, int]]) -> InstitutionShowcase | None:
    """The showcase of member ``slug`` (None when it is no live member): output by discipline (bars
    leading to its records in each), records by year (columns leading to that year's records) and
    the growth over time from ``years`` (the member's records by year, as the statistics page reads
    them), top researchers, partners and the disciplines meeting in its works."""
    lang = _lang()
    with current_hub().db.session() as session:
        member = figures.member_by_slug(session, slug)
        if member is None:
            return None
        shown = figures.member_showcase(session, member)
    title = gettext("Records by discipline")
    rows = [(discipline_name(d.code, lang), d.output.records) for d in shown.disciplines]
    out = [Figure("disciplines", title, charts.bar_chart(rows, title, links=[
        records_url(d.code, slug) for d in shown.disciplines]), rows, gettext("Discipline"))]
    title = gettext("Records by year of publication")
    out.append(Figure("years", title, charts.column_chart(years, title, links={
        y: records_url(slug=slug, year=y) for y, _ in years}), [(str(y), n) for y, n in years], gettext("Year")))
    title = gettext("Growth: records published up to each year")
    growth = charts.cumulative(years)
    out.append(Figure("growth", title, charts.line_chart(growth, title), growth, gettext("Year")))
    meeting = [(f"{discipline_name(m.a, lang)} + {discipline_name(m.b, lang)}", m.works) for m in shown.meeting]
    return InstitutionShowcase(shown, figures.growth(dict(years), shown.year), out, meeting)


def init_app(app: Flask) -> None:
    """Register the showcase pages."""
    app.register_blueprint(bp)
