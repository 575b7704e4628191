"""The researchers of the JSON API (/api/v1/researchers), read through :mod:`hub.people.profiles`.

- ``GET /api/v1/researchers``: researchers with records, most records first; ``q`` (a name, Han or
  Latin: every word must occur), ``institution`` (a member's slug: its researchers by their main
  member), ``page`` and ``per_page`` as every list of the API (hub.web.api_paging).
- ``GET /api/v1/researchers/<id>``: one researcher with names, members, disciplines, works by year,
  co-authors (inside and across members), the timeline's records and the evidence of each link
  (which other authorship, the kinds of evidence, the score).

Bad arguments answer 400, an unknown member or researcher 404, as JSON like the rest of the API.
"""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, request

from hub.app import current_hub
from hub.people import profiles
from hub.people.profiles import Member, Profile, ResearcherSummary
from hub.web import api_paging
from hub.web.api import _url, bp
from hub.web.api_paging import page_request
from hub.web.ids import MAX_ID

PER_PAGE = 20


def _member_json(member: Member | None) -> dict[str, Any] | None:
    if member is None:
        return None
    return {"slug": member.slug, "name_zh": member.name_zh, "name_en": member.name_en,
            "url": _url(f"/institutions/{member.slug}")}


def summary_json(r: ResearcherSummary) -> dict[str, Any]:
    """The API form of a researcher in a list."""
    return {"id": r.id, "url": _url(f"/researchers/{r.id}"), "name": r.name, "name_zh": r.name_zh,
            "name_latin": r.name_latin, "orcid": r.orcid, "institution": _member_json(r.member),
            "institutions": r.members,
            "disciplines": [{"code": d.code, "name_zh": d.zh, "name_en": d.en} for d in r.disciplines],
            "records": r.records, "works": r.works, "first_year": r.first_year, "last_year": r.last_year}


def profile_json(p: Profile) -> dict[str, Any]:
    """The API form of one researcher's profile, with the evidence of its links."""
    body = summary_json(p.researcher)
    body["institutions"] = [_member_json(m) for m in p.members]
    body.update({
        "names": [{"name": n, "authorships": c} for n, c in p.names],
        "by_year": [{"year": y, "records": n} for y, n in p.by_year],
        "undated": p.undated,
        "coauthors": [{"id": c.id, "url": _url(f"/researchers/{c.id}"), "name": c.name,
                       "institution": c.member.slug if c.member else None, "shared_records": c.shared,
                       "scope": c.scope.value} for c in p.coauthors],
        "timeline": [{"year": year, "records": [{"id": t.record_id, "url": _url(f"/records/{t.record_id}"),
                                                  "title": t.title, "name": t.name,
                                                  "institution": t.member.slug if t.member else None}
                                                 for t in items]} for year, items in p.timeline],
        "evidence": [{"authorship": f"{link.record_id}:{link.name}",
                      "with": f"{link.with_record_id}:{link.with_name}" if link.with_record_id is not None
                      else link.with_name,
                      "evidence": link.raw, "kinds": [k.value for k, _n in link.kinds], "score": link.score}
                     for link in p.links],
        "authorships": p.authorships, "truncated": p.truncated,
    })
    return body


@bp.get("/researchers")
def researchers():
    """Researchers, a page at a time: ``q`` (name), ``institution`` (slug), ``page``, ``per_page``."""
    hub = current_hub()
    wanted = page_request(PER_PAGE)
    q = request.args.get("q", "") or ""
    if len(q) > profiles.MAX_QUERY:
        abort(400, f"q must be at most {profiles.MAX_QUERY} characters")
    slug = (request.args.get("institution", "") or "").strip()
    if (wanted.page or 1) * wanted.per_page > 2**31:
        abort(400, "page is too large")
    with hub.db.session() as session:
        member = profiles.member_by_slug(session, slug) if slug else None
        if slug and member is None:
            abort(404, f"no institution {slug!r}")
        found = profiles.researcher_list(session, q=q.strip(), institution_id=member.id if member else None,
                                         page=wanted.page or 1, per_page=wanted.per_page)
    args = {"q": q.strip() or None, "institution": slug or None}
    following = {"page": found.page + 1} if found.page < found.pages else None
    body = api_paging.envelope(found.total, wanted, lambda **more: _url("/researchers", **more), args, following)
    return jsonify({**body, "items": [summary_json(r) for r in found.items]})


@bp.get("/researchers/<int:researcher_id>")
def researcher(researcher_id: int):
    """One researcher with the evidence of each of its links."""
    if researcher_id > MAX_ID:
        abort(404, f"no researcher {researcher_id}")
    with current_hub().db.session() as session:
        found = profiles.profile(session, researcher_id)
    if found is None:
        abort(404, f"no researcher {researcher_id}")
    return jsonify(profile_json(found))

