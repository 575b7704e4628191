"""Portal views for searching and reading: /search, /records/<id>, /records/<id>/cite.<fmt>."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, abort, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from hub.app import current_hub
from hub.search import FACETS, SORTS, SearchError, SearchRequest, search_backend
from hub.web.portal import bp, citations, data, search_errors
from hub.web.portal.labels import pick

RESERVED = ("q", "page", "sort")


def request_from_args(args: MultiDict, page_size: int) -> SearchRequest:
    """A SearchRequest from query-string arguments (q, page, sort, one argument per facet filter)."""
    try:
        page = int(args.get("page", "1") or 1)
    except ValueError as exc:
        raise SearchError("page must be a number") from exc
    try:
        size = int(args.get("size", str(page_size)) or page_size)
    except ValueError as exc:
        raise SearchError("size must be a number") from exc
    filters = {name: [v for v in args.getlist(name) if v.strip()] for name in FACETS if args.getlist(name)}
    return SearchRequest(q=args.get("q", ""), filters=filters, page=page, size=size,
                         sort=args.get("sort", "relevance") or "relevance")


def url_with(endpoint: str = "portal.search", drop: tuple[str, ...] = (), **changes: Any) -> str:
    """The current search URL with arguments replaced (None removes), filters kept, page reset."""
    args = MultiDict(request.args)
    args.pop("page", None)
    args.pop("lang", None)
    for key in drop:
        args.pop(key, None)
    for key, value in changes.items():
        args.pop(key, None)
        if value is not None:
            args[key] = value
    query = urlencode(list(args.items(multi=True)))
    return url_for(endpoint) + (f"?{query}" if query else "")


def filter_url(name: str, value: str, remove: bool = False) -> str:
    """The current search with one facet value added or removed."""
    args = MultiDict(request.args)
    args.pop("page", None)
    args.pop("lang", None)
    values = [v for v in args.getlist(name) if v != value]
    args.setlist(name, values if remove else values + [value])
    query = urlencode(list(args.items(multi=True)))
    return url_for("portal.search") + (f"?{query}" if query else "")


def page_url(page: int) -> str:
    """The current search at another page."""
    args = MultiDict(request.args)
    args.pop("lang", None)
    args["page"] = str(page)
    return url_for("portal.search") + "?" + urlencode(list(args.items(multi=True)))


@bp.get("/search")
def search():
    """Search results, one per work with its copies listed, with facets, highlights, sorting and paging."""
    hub = current_hub()
    from flask_babel import get_locale

    lang = str(get_locale())[:2]
    error = ""
    result = None
    req = None
    try:
        req = request_from_args(request.args, hub.settings["SEARCH_PAGE_SIZE"])
        result = search_backend(hub).search(req)
    except SearchError as exc:
        error = search_errors.search_error_text(exc)  # in the visitor's language
    selected = {name: request.args.getlist(name) for name in FACETS if request.args.getlist(name)}
    status = 400 if error else 200
    works = data.hit_works(hub, result.hits) if result else {}
    return render_template("search.html", q=request.args.get("q", ""), result=result, req=req, error=error,
                           works=works,
                           selected=selected, names=data.name_lookup(hub, lang), sorts=SORTS,
                           sort=request.args.get("sort", "relevance"), filter_url=filter_url, page_url=page_url,
                           url_with=url_with, facets=FACETS), status


def _record_context(record_id: int):
    found = data.record_with_context(current_hub(), record_id)
    if found is None:
        abort(404)
    return found


@bp.get("/records/<int:record_id>")
def record(record_id: int):
    """One record: all metadata, files, source link, other copies and versions, citations, Highwire, JSON-LD."""
    hub = current_hub()
    rec, repo, inst = _record_context(record_id)
    from flask_babel import get_locale

    lang = str(get_locale())[:2]
    if rec.deleted:
        return render_template("record_deleted.html", record=rec, repository=repo, institution=inst,
                               lang=lang), 410
    meta = rec.meta or {}
    base = hub.settings["BASE_URL"].rstrip("/")
    url = f"{base}/records/{rec.id}"
    files = [f for f in data.record_files(hub, rec.id) if f.get("sha256") and f.get("state") == "stored"]
    file_urls = [f"{base}/files/{f['sha256']}" for f in files]
    pdf_urls = [u for u, f in zip(file_urls, files, strict=True) if f.get("mime_type") == "application/pdf"]
    return render_template(
        "record.html", record=rec, meta=meta, repository=repo, institution=inst, files=files,
        candidates=meta.get("files") or [], versions=data.other_copies(hub, rec), lang=lang,
        title=pick(meta.get("titles"), lang) or rec.source_identifier,
        tags=citations.highwire_tags(meta, pdf_urls, inst.name_en),
        json_ld=citations.json_ld(meta, url, inst.name(lang), file_urls), canonical=url)


@bp.get("/records/<int:record_id>/cite.<fmt>")
def cite(record_id: int, fmt: str):
    """The record's citation as BibTeX (bib), RIS (ris) or CSL-JSON (json)."""
    if fmt not in citations.FORMATS:
        abort(404)
    rec, _repo, _inst = _record_context(record_id)
    if rec.deleted:
        abort(410)
    url = f"{current_hub().settings['BASE_URL'].rstrip('/')}/records/{rec.id}"
    body = citations.render(fmt, rec.meta or {}, rec.id, url)
    response = Response(body, mimetype=citations.FORMATS[fmt].split(";")[0])
    response.headers["Content-Type"] = citations.FORMATS[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="chair{rec.id}.{fmt}"'
    return response
