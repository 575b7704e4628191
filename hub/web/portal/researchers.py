"""Portal pages of researchers (人员): /researchers (list, ?q= search, ?institution=<slug>) and
/researchers/<id> (a profile), read through :mod:`hub.people.profiles`.

A profile's works-by-year columns lead to a search that lists the researcher's records of that
year: the names the researcher's records write (``author:"王伟" OR author:"Wang, Wei"``) at the
researcher's members, from that year to that year. The search finds every record of the
researcher in that year (a namesake at the same member may be listed beside them: the search
index knows creators' names, not researchers). The record page links each linked creator to
their researcher page (:func:`researcher_links`, a template global).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, g, render_template, request, url_for
from flask_babel import gettext

from hub.app import current_hub
from hub.people import profiles
from hub.people.profiles import EvidenceKind, Profile
from hub.web.ids import MAX_ID
from hub.web.portal import bp

PER_PAGE = 20
MAX_PAGE = 100_000
MAX_CHART_NAMES = 4  # name forms in a year column's search


class BadArgument(ValueError):
    """A query-string value the researcher list cannot use (its message is for the visitor)."""


def _page() -> int:
    raw = (request.args.get("page", "") or "").strip()
    if not raw:
        return 1
    if not raw.isdigit() or len(raw) > 6 or not 1 <= int(raw) <= MAX_PAGE:
        raise BadArgument(gettext("The page must be a whole number from 1."))
    return int(raw)


def author_query(names: list[tuple[str, int]]) -> str:
    """A search query finding records by any of the researcher's names as written (the most frequent first)."""
    forms = []
    for name, _n in names:
        clean = " ".join(name.replace('"', " ").split())
        if clean and clean not in forms:
            forms.append(clean)
    return " OR ".join(f'author:"{n}"' for n in forms[:MAX_CHART_NAMES])


def year_links(found: Profile) -> dict[int, str]:
    """Where each column of the works-by-year chart leads: a search listing that year's records."""
    query = author_query(found.names)
    slugs = [m.slug for m in found.members]
    base = url_for("portal.search")
    return {year: base + "?" + urlencode([("q", query), *(("institution", s) for s in slugs),
                                          ("from", str(year)), ("to", str(year))])
            for year, _n in found.by_year}


def evidence_text(kind: EvidenceKind, count: int) -> str:
    """A piece of evidence in words, in the page's language (each kind translated once per request)."""
    cached: dict[EvidenceKind, str] | None = getattr(g, "evidence_words", None)
    if cached is None:
        cached = g.evidence_words = {
            EvidenceKind.ORCID: gettext("the same ORCID iD"),
            EvidenceKind.NAME: gettext("the same name form"),
            EvidenceKind.MEMBER: gettext("the same member"),
            EvidenceKind.COAUTHORS: gettext("%(n)s shared co-authors"),
            EvidenceKind.SUBJECTS: gettext("%(n)s shared subjects"),
            EvidenceKind.PINYIN: gettext("the Chinese name and its pinyin form"),
            EvidenceKind.DISCIPLINES: gettext("%(n)s shared disciplines"),
            EvidenceKind.DECISION: gettext("an administrator's decision"),
            EvidenceKind.OTHER: gettext("other evidence"),
        }
    return cached.get(kind, cached[EvidenceKind.OTHER]).replace("%(n)s", str(count))


@bp.get("/researchers")
def researchers():
    """Researchers, most records first, of the network or one member (``institution``), searched by name (``q``)."""
    hub = current_hub()
    q = (request.args.get("q", "") or "").strip()[:profiles.MAX_QUERY]
    slug = (request.args.get("institution", "") or "").strip()
    try:
        page = _page()
    except BadArgument as exc:
        return render_template("researchers.html", error=str(exc), q=q, member=None, found=None, members=[]), 400
    with hub.db.session() as session:
        member = profiles.member_by_slug(session, slug) if slug else None
        if slug and member is None:
            abort(404)
        found = profiles.researcher_list(session, q=q, institution_id=member.id if member else None, page=page,
                                         per_page=PER_PAGE)
        members = profiles.live_members(session)
    return render_template("researchers.html", error="", q=q, member=member, found=found, members=members)


@bp.get("/researchers/<int:researcher_id>")
def researcher(researcher_id: int):
    """One researcher: names, members, ORCID, disciplines, works by year, co-authors, timeline, evidence."""
    if researcher_id > MAX_ID:
        abort(404)
    with current_hub().db.session() as session:
        found = profiles.profile(session, researcher_id)
    if found is None:
        abort(404)
    return render_template("researcher.html", p=found, r=found.researcher, links=year_links(found),
                           evidence_text=evidence_text, author_query=author_query(found.names))


@bp.app_template_global()
def researcher_links(record_id: int) -> dict[str, int]:
    """The researcher id of each linked creator of a record, by name as written (the record page's links)."""
    with current_hub().db.session() as session:
        return profiles.researchers_of_record(session, record_id)


__all__ = ["researcher", "researchers", "researcher_links", "year_links"]
