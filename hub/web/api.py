"""The JSON API under /api/v1: search, records, institutions, repositories; CORS for GET.

Search answers one hit per work (its best-ranked record) with the work's copies; ``total``
counts works, ``records`` the records found. A record carries its ``work`` and its
``relations`` to the other records of the work (hub.works).

Errors are JSON ``{"error": code, "message": text}`` with a matching status. Lists carry
``links`` (self, next, prev) — search by page (bounded by SEARCH_MAX_RESULTS), records by an
opaque keyset cursor (``after``), so the last page costs what the first one costs. The
OpenAPI 3.1 document at /api/v1/openapi.json describes every response (hub.web.openapi).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, abort, jsonify, request
from flask_cors import CORS
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from hub import records_json
from hub.app import current_hub
from hub.models import Institution, Record, Repository
from hub.search import FACETS, SearchError, search_backend
from hub.web.portal import data
from hub.web.portal.views import request_from_args
from hub.works.api import Copy, Relation, WorkView

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_LIMIT = 100


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
    """Search, one hit per work with its copies: q, facet filters (one argument per value), page, size,
    sort, facets=false."""
    hub = current_hub()
    try:
        req = request_from_args(request.args, hub.settings["SEARCH_PAGE_SIZE"])
        req.facets = request.args.get("facets", "true").lower() not in ("false", "0", "no")
        result = search_backend(hub).search(req)
    except SearchError as exc:
        return jsonify(error="bad_request", message=str(exc)), 400
    args = {k: request.args.getlist(k) for k in ("q", "sort", "size", "facets", *FACETS) if k in request.args}
    links = {"self": _url("/search", **args, page=result.page)}
    if result.page < result.pages:
        links["next"] = _url("/search", **args, page=result.page + 1)
    if result.page > 1:
        links["prev"] = _url("/search", **args, page=result.page - 1)
    works = data.hit_works(hub, result.hits)
    return jsonify({
        "total": result.total, "records": result.records, "approximate": result.approximate,
        "page": result.page, "size": result.size,
        "pages": result.pages, "max_results": result.max_results, "links": links,
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


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        abort(400, f"{name} must be a whole number")
    if not low <= value <= high:
        abort(400, f"{name} must be between {low} and {high}")
    return value


@bp.get("/records")
def records():
    """Every record in id order, ``limit`` per page, continued with ``after=<last id>`` (links.next)."""
    hub = current_hub()
    limit = _int_arg("limit", 50, 1, MAX_LIMIT)
    after = _int_arg("after", 0, 0, 2**62)
    institution = request.args.get("institution", "")
    include_deleted = request.args.get("deleted", "false").lower() in ("true", "1", "yes")
    with hub.db.session() as session:
        query = (select(Record, Repository, Institution).join(Repository, Repository.id == Record.repository_id)
                 .join(Institution, Institution.id == Repository.institution_id).where(Record.id > after)
                 .where(Repository.removed_at.is_(None))
                 .order_by(Record.id).limit(limit + 1))
        if institution:
            query = query.where(Institution.slug == institution)
        if not include_deleted:
            query = query.where(Record.deleted.is_(False))
        rows = session.execute(query).all()
        items = [record_json(r, repo, inst) for r, repo, inst in rows[:limit]]
    args = {"limit": limit, "institution": institution or None, "deleted": "true" if include_deleted else None}
    links = {"self": _url("/records", **args, after=after or None)}
    if len(rows) > limit:
        links["next"] = _url("/records", **args, after=items[-1]["id"])
    return jsonify({"items": items, "links": links})


@bp.get("/institutions")
def institutions():
    """Every member institution with its record count."""
    rows = data.institutions(current_hub())
    with current_hub().db.session() as session:
        insts = {i.id: i for i in session.scalars(select(Institution))}
        return jsonify({"items": [institution_json(insts[r.id], r.records) for r in rows]})


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
    """Every repository of every member."""
    with current_hub().db.session() as session:
        return jsonify({"items": [repository_json(r) for r in session.scalars(
            select(Repository).where(Repository.removed_at.is_(None)).order_by(Repository.id))]})


@bp.get("/dumps")
def dumps():
    """The bulk dumps (JSON lines, gzip) with size, record count, date, sha-256 and download URL, and the
    licence of the metadata (hub.exchange.dumps)."""
    from hub.exchange.dumps.listing import listing

    return jsonify(listing(current_hub()))


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    from hub.web.openapi import document

    return jsonify(document(current_hub().settings["BASE_URL"].rstrip("/") + "/api/v1"))


@bp.errorhandler(HTTPException)
def _error(exc: HTTPException):
    code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(exc.code or 500, "error")
    return jsonify(error=code, message=exc.description or exc.name), exc.code


def init_app(app: Flask) -> None:
    """Register the API with CORS open for GET."""
    app.register_blueprint(bp)
    CORS(app, resources={r"/api/v1/*": {"origins": "*", "methods": ["GET", "HEAD", "OPTIONS"]}})
