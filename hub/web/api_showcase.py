"""The showcase's JSON API: /api/v1/disciplines, /api/v1/disciplines/<code>, /api/v1/collaboration.

The figures of the discipline and collaboration pages (hub.showcase.figures, read from the
aggregate tables), as data: the list of disciplines pages like every list of the API
(hub.web.api_paging); one discipline answers with each member's output by year, its researchers
and subjects; collaboration with a page of the pairs of members, the disciplines meeting in the same works
and the works crossing most disciplines, network-wide or for one member (``?institution=<slug>``).
A malformed code is a 400, an unknown code or member a 404, as JSON errors like the rest of the
API. Described in the OpenAPI document by hub.web.openapi_showcase.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, abort, jsonify, request

from hub.app import current_hub
from hub.normalise.disciplines import category_of, discipline_label
from hub.showcase import figures
from hub.web.api import PER_PAGE_SMALL_LISTS, error_response
from hub.web.api_paging import page_request, paged_list

bp = Blueprint("api_showcase", __name__, url_prefix="/api/v1")
bp.register_error_handler(400, error_response)
bp.register_error_handler(404, error_response)


def _base() -> str:
    return str(current_hub().settings["BASE_URL"]).rstrip("/")


def member_json(member: figures.Member | None) -> dict[str, Any] | None:
    """A member as the showcase answers name it (None stays None)."""
    if member is None:
        return None
    return {"slug": member.slug, "name_zh": member.name_zh, "name_en": member.name_en,
            "url": f"{_base()}/api/v1/institutions/{member.slug}"}


def discipline_ref(code: str) -> dict[str, Any]:
    """A discipline or category code with its names."""
    zh, en = discipline_label(code)
    return {"code": code, "name_zh": zh, "name_en": en}


def growth_json(growth: figures.Growth) -> dict[str, Any]:
    """A growth: the windows' records and the relative change (null: nothing before)."""
    return {"year": growth.year, "window": figures.WINDOW, "recent": growth.recent, "previous": growth.previous,
            "change": growth.change}


def output_json(output: figures.Output) -> dict[str, Any]:
    """Records, open access, full text, their shares and the records by known year."""
    return {"records": output.records, "open_access": output.open_access, "fulltext": output.fulltext,
            "open_access_share": output.oa_share.ratio, "fulltext_share": output.fulltext_share.ratio,
            "by_year": [{"year": y, "records": n} for y, n in output.years()],
            "year_unknown": output.by_year.get(0, 0)}


def summary_json(row: figures.DisciplineRow) -> dict[str, Any]:
    """One discipline of the list."""
    base = _base()
    return {**discipline_ref(row.code), "category": discipline_ref(category_of(row.code)),
            **output_json(row.output), "members": row.members, "growth": growth_json(row.growth),
            "url": f"{base}/api/v1/disciplines/{row.code}", "page": f"{base}/disciplines/{row.code}"}


def researcher_json(r: figures.RankedResearcher) -> dict[str, Any]:
    """A ranked researcher."""
    return {"id": r.id, "name": r.name, "name_zh": r.name_zh, "name_latin": r.name_latin,
            "institution": member_json(r.member), "records": r.records,
            "url": f"{_base()}/api/v1/researchers/{r.id}"}


def pair_json(p: figures.Pair) -> dict[str, Any]:
    """Two members working together."""
    return {"a": member_json(p.a), "b": member_json(p.b), "works": p.works, "researchers": p.researchers}


@bp.get("/disciplines")
def disciplines():
    """Every first-level discipline with records, by code, a page at a time."""
    with current_hub().db.session() as session:
        view = figures.overview(session)
    wanted = page_request(PER_PAGE_SMALL_LISTS)
    body = paged_list(view.disciplines, wanted, lambda **more: _url("/disciplines", **more), {}, summary_json)
    return jsonify({**body, "year": view.year})


def _url(path: str, **args: Any) -> str:
    pairs = [(k, v) for k, v in args.items() if v not in (None, "")]
    return f"{_base()}/api/v1{path}" + (f"?{urlencode(pairs)}" if pairs else "")


@bp.get("/disciplines/<code>")
def discipline(code: str):
    """One discipline: the network's and each member's output, growth, researchers, subjects."""
    try:
        figures.parse_code(code)
    except figures.MalformedCode as exc:
        abort(400, str(exc))
    except figures.UnknownDiscipline as exc:
        abort(404, str(exc))
    with current_hub().db.session() as session:
        detail = figures.discipline(session, code)
    base = _base()
    return jsonify({
        **discipline_ref(code), "category": discipline_ref(category_of(code)), **output_json(detail.network),
        "growth": growth_json(detail.growth),
        "members": [{"institution": member_json(m.member), **output_json(m.output), "growth": growth_json(m.growth)}
                    for m in detail.members],
        "researchers": [researcher_json(r) for r in detail.researchers],
        "subjects": [{"subject": s, "records": n} for s, n in detail.subjects],
        "page": f"{base}/disciplines/{code}", "csv": f"{base}/disciplines/{code}.csv",
        "report": f"{base}/disciplines/{code}/report"})


@bp.get("/collaboration")
def collaboration():
    """Members working together (a page of pairs, strongest first), the disciplines meeting and the
    works crossing most disciplines; ``institution``: one member's."""
    slug = request.args.get("institution", "")
    if len(slug) > 64:
        abort(400, "institution must be a member's slug")
    with current_hub().db.session() as session:
        member = figures.member_by_slug(session, slug) if slug else None
        if slug and member is None:
            abort(404, f"no institution {slug!r}")
        view = figures.collaboration(session, member)
    base = _base()
    wanted = page_request(PER_PAGE_SMALL_LISTS)
    body = paged_list(view.pairs, wanted, lambda **more: _url("/collaboration", institution=slug, **more), {},
                      pair_json)
    return jsonify({
        **body, "institution": member_json(member),
        "meeting": [{"a": discipline_ref(m.a), "b": discipline_ref(m.b), "works": m.works} for m in view.meeting],
        "crossing": [{"record_id": w.record_id, "url": f"{base}/api/v1/records/{w.record_id}", "work_id": w.work_id,
                      "title": w.title, "year": w.year or None, "disciplines": [discipline_ref(c) for c in w.disciplines],
                      "institution": member_json(w.member)} for w in view.crossing]})


def init_app(app: Flask) -> None:
    """Register the showcase's API (CORS comes with the API's /api/v1/* rule)."""
    app.register_blueprint(bp)
