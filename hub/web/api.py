"""The JSON API under /api/v1: search, records, institutions, repositories, dumps; CORS for GET.

Search answers one hit per work (its best-ranked record) with the work's copies; ``total``
counts works, ``records`` the records found. A record carries its ``work`` and its
``relations`` to the other records of the work (hub.works).

Answers are UTF-8 JSON (characters as themselves, never ``\\u`` escapes). Errors are JSON
``{"error": code, "message": text}`` with a matching status, for unknown paths and methods
under /api/ too. Every list pages the same way (hub.web.api_paging): ``page`` and ``per_page``
in, ``total``, ``pages`` and ``links`` (self, first, last, next, prev) out. The OpenAPI 3.1
document at /api/v1/openapi.json describes every response (hub.web.openapi); /api/v1/docs is
its interactive reference (hub.web.api_docs).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, abort, jsonify, request
from flask_cors import CORS
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from hub import records_json
from hub.app import current_hub
from hub.models import Institution, Record, Repository
from hub.search import FACETS, SearchError, search_backend
from hub.web import api_paging
from hub.web.api_paging import page_request, paged_list
from hub.web.portal import data
from hub.web.portal.views import request_from_args
from hub.works.api import Copy, Relation, WorkView

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PER_PAGE = 50  # records per page unless per_page says otherwise
PER_PAGE_SMALL_LISTS = 100  # institutions, repositories, dumps: usually one page
ERROR_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large",
               429: "too_many_requests"}


def _url(path: str, **args: Any) -> str:
    base = current_hub().settings["BASE_URL"].rstrip("/")
    pairs = [(k, x) for k, v in args.items() if v not in (None, "", []) for x in (v if isinstance(v, list) else [v])]
    return f"{base}/api/v1{path}" + (f"?{urlencode(pairs)}" if pairs else "")


def record_json(record: Record, repo: Repository, inst: Institution) -> dict[str, Any]:
    """The API form of a record (hub.records_json, shared with the bulk dumps) under this hub's base URL."""
    return records_json.record_json(record, repo, inst, current_hub().settings["BASE_URL"])


def copy_json(copy: Copy) -> dict[str, Any]:
    """The API form of one copy of a work (a record held by one member)."""
    return {"record_id": copy.record_id, "url": _url(f"/records/{copy.record_id}"),
            "institution": copy.institution_slug, "institution_name_en": copy.institution_name_en,
            "institution_name_zh": copy.institution_name_zh, "repository": copy.repository_id,
            "version": copy.version, "doi": copy.doi, "has_fulltext": copy.has_fulltext,
            "landing_page": copy.landing_page}


def work_json(view: WorkView | None) -> dict[str, Any] | None:
    """The API form of a work with its copies (the best first); None for a record not grouped yet."""
    if view is None:
        return None
    return {"id": view.work_id, "size": view.size, "title": view.title, "doi": view.doi,
            "copies": [copy_json(c) for c in view.copies]}


def relation_json(relation: Relation) -> dict[str, Any]:
    """The API form of a relation to another record of the same work (DataCite relation type)."""
    return {"type": relation.type.value, "record_id": relation.record_id, "url": _url(f"/records/{relation.record_id}"),
            "repository": relation.repository_id, "doi": relation.doi}


def institution_json(inst: Institution, records: int) -> dict[str, Any]:
    return {"slug": inst.slug, "name_en": inst.name_en, "name_zh": inst.name_zh, "region": inst.region,
            "website": inst.website, "records": records, "url": _url(f"/institutions/{inst.slug}")}


@bp.get("/search")
def search():
    """Search, one hit per work with its copies: q, facet filters (one argument per value), page,
    per_page (or size), sort, facets=false."""
    hub = current_hub()
    args = request.args.copy()
    wanted = page_request(int(hub.settings["SEARCH_PAGE_SIZE"]), aliases=("size",))
    args["size"], args["page"] = str(wanted.per_page), str(wanted.page)
    try:
        req = request_from_args(args, hub.settings["SEARCH_PAGE_SIZE"])
        req.facets = request.args.get("facets", "true").lower() not in ("false", "0", "no")
        result = search_backend(hub).search(req)
    except SearchError as exc:
        return jsonify(error="bad_request", message=str(exc)), 400
    kept = {k: request.args.getlist(k) for k in ("q", "sort", "facets", *FACETS) if k in request.args}

    def url(**more: Any) -> str:
        return _url("/search", **kept, **more)

    body = api_paging.envelope(result.total, wanted, url, {},
                               {"page": result.page + 1} if result.page < result.pages else None)
    body["pages"] = result.pages  # bounded by max_results: the pages that can be browsed
    body["links"]["last"] = url(per_page=wanted.per_page, page=result.pages)
    works = data.hit_works(hub, result.hits)
    return jsonify({
        **body, "records": result.records, "approximate": result.approximate, "size": result.size,
        "max_results": result.max_results,
        "hits": [{"id": h.id, "score": h.score, "url": _url(f"/records/{h.id}"), "document": h.doc,
                  "highlights": {k: [str(x) for x in v] for k, v in h.highlights.items()},
                  "work": work_json(works.get(h.id))} for h in result.hits],
        "facets": {name: [{"value": v.value, "count": v.count} for v in values]
                   for name, values in result.facets.items()},
    })


@bp.get("/records/<int:record_id>")
def record(record_id: int):
    """One record with its work (id, size) and its relations to the other records of the work (a
    deleted one answers with ``deleted: true``, no metadata, no work)."""
    from hub.works.api import relations_for, work_of

    hub = current_hub()
    found = data.record_with_context(hub, record_id)
    if found is None:
        abort(404, f"no record {record_id}")
    body = record_json(*found)
    view, relations = None, []
    if not found[0].deleted:
        with hub.db.session() as session:
            view = work_of(session, record_id)
            relations = relations_for(session, [record_id])[record_id]
    body["work"] = {"id": view.work_id, "size": view.size} if view is not None else None
    body["relations"] = [relation_json(r) for r in relations]
    return jsonify(body)


@bp.get("/records")
def records():
    """Every record in id order, ``per_page`` (or ``limit``) a page; ``links.next`` continues after
    the last id sent (``after``), so deep pages cost what the first one costs; ``page`` jumps."""
    hub = current_hub()
    after = api_paging.int_arg("after", 0, 0, 2**62) or 0
    wanted = page_request(PER_PAGE, aliases=("limit",), numbered=not after)
    institution = request.args.get("institution", "")
    include_deleted = request.args.get("deleted", "false").lower() in ("true", "1", "yes")
    with hub.db.session() as session:
        scope = (select(Record, Repository, Institution).join(Repository, Repository.id == Record.repository_id)
                 .join(Institution, Institution.id == Repository.institution_id)
                 .where(Repository.removed_at.is_(None)))
        if institution:
            scope = scope.where(Institution.slug == institution)
        if not include_deleted:
            scope = scope.where(Record.deleted.is_(False))
        total = session.scalar(select(func.count()).select_from(scope.with_only_columns(Record.id).subquery()))
        query = scope.order_by(Record.id).limit(wanted.per_page + 1)
        query = query.where(Record.id > after) if after else query.offset(wanted.offset)
        rows = session.execute(query).all()
        items = [record_json(r, repo, inst) for r, repo, inst in rows[:wanted.per_page]]
    args = {"institution": institution or None, "deleted": "true" if include_deleted else None}
    following = None
    if len(rows) > wanted.per_page:
        following = {"after": items[-1]["id"], **({"page": wanted.page + 1} if wanted.page else {})}
    body = api_paging.envelope(total, wanted, lambda **more: _url("/records", **more), args, following)
    return jsonify({**body, "items": items})


@bp.get("/institutions")
def institutions():
    """Every member institution with its record count, a page at a time."""
    rows = data.institutions(current_hub())
    wanted = page_request(PER_PAGE_SMALL_LISTS)
    with current_hub().db.session() as session:
        insts = {i.id: i for i in session.scalars(select(Institution))}
        return jsonify(paged_list(rows, wanted, lambda **more: _url("/institutions", **more), {},
                                  lambda r: institution_json(insts[r.id], r.records)))


@bp.get("/institutions/<slug>")
def institution(slug: str):
    """One institution with its repositories."""
    hub = current_hub()
    counts = {r.slug: r.records for r in data.institutions(hub)}
    with hub.db.session() as session:
        inst = session.scalar(select(Institution).where(Institution.slug == slug))
        if inst is None or inst.removed:
            abort(404, f"no institution {slug!r}")
        body = institution_json(inst, counts.get(slug, 0))
        body["repositories"] = [repository_json(r) for r in session.scalars(
            select(Repository).where(Repository.institution_id == inst.id, Repository.removed_at.is_(None))
            .order_by(Repository.id))]
    return jsonify(body)


def repository_json(repo: Repository) -> dict[str, Any]:
    return {"id": repo.id, "name": repo.label, "institution": repo.institution.slug, "platform": repo.platform,
            "base_url": repo.base_url, "state": repo.state.value}


@bp.get("/repositories")
def repositories():
    """Every repository of every member, a page at a time."""
    wanted = page_request(PER_PAGE_SMALL_LISTS)
    with current_hub().db.session() as session:
        repos = list(session.scalars(select(Repository).where(Repository.removed_at.is_(None)).order_by(Repository.id)))
        return jsonify(paged_list(repos, wanted, lambda **more: _url("/repositories", **more), {}, repository_json))


@bp.get("/dumps")
def dumps():
    """The bulk dumps (JSON lines, gzip) with size, record count, date, sha-256 and download URL, a page
    at a time, and the licence of the metadata (hub.exchange.dumps)."""
    from hub.exchange.dumps.listing import listing

    found = listing(current_hub())
    wanted = page_request(PER_PAGE_SMALL_LISTS)
    return jsonify({**found, **paged_list(found["items"], wanted, lambda **more: _url("/dumps", **more), {},
                                          lambda item: item)})


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    from hub.web.openapi import document

    return jsonify(document(current_hub().settings["BASE_URL"].rstrip("/") + "/api/v1"))


def error_response(exc: HTTPException) -> Response:
    """An HTTP error as the API's JSON error (the exception's headers, such as Allow, kept)."""
    status = exc.code or 500
    response = jsonify(error=ERROR_CODES.get(status, "error"), message=exc.description or exc.name)
    response.status_code = status
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


bp.register_error_handler(HTTPException, error_response)


def _api_errors(exc: HTTPException) -> Response | HTTPException:
    """Routing errors (no such path, a method not allowed) under /api/ are JSON too; other paths
    keep their own error pages."""
    if request.path == "/api" or request.path.startswith("/api/"):
        return error_response(exc)
    return exc


def init_app(app: Flask) -> None:
    """Register the API, its JSON errors and its reference page, with CORS open for GET."""
    from hub.web import api_docs, api_researchers  # noqa: F401 - api_researchers: its routes on bp

    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, _api_errors)
    api_docs.init_app(app)
    CORS(app, resources={r"/api/v1/*": {"origins": "*", "methods": ["GET", "HEAD", "OPTIONS"]}})
