"""Portal views for searching and reading: /search, /records/<id>, /records/<id>/cite.<fmt>.

The search form's arguments and links live in :mod:`hub.web.portal.search_form`, the export of a
result in :mod:`hub.web.portal.export`, the formatted citations in :mod:`hub.web.portal.citation_styles`.
"""

from __future__ import annotations

from flask import Response, abort, render_template, request

from hub.app import current_hub
from hub.normalise.subjects import similar_subjects
from hub.normalise.vocab import subject_label
from hub.search import FACETS, SORTS, SearchError, search_backend
from hub.web.portal import bp, citation_styles, citations, data, export, search_errors, search_form  # noqa: F401 - export: routes
from hub.web.portal.labels import LANGUAGES, TYPES, pick
from hub.web.portal.search_form import filter_url, page_url, request_from_args, url_with

__all__ = ["request_from_args"]  # the API and the feeds read search arguments as the portal does

@bp.get("/search")
def search():
    """Search results, one per work with its copies listed: facets, a year range, the advanced form,
    numbered pages, a page-size choice, export links and help when nothing is found."""
    hub = current_hub()
    from flask_babel import get_locale

    lang = str(get_locale())[:2]
    error = ""
    result = None
    req = None
    try:
        req = request_from_args(request.args, hub.settings["SEARCH_PAGE_SIZE"])
        search_form.check_page_size(req.size)
        result = search_backend(hub).search(req)
    except SearchError as exc:
        error = search_errors.search_error_text(exc)  # in the visitor's language
    selected = {name: values for name in FACETS if (values := [v for v in request.args.getlist(name) if v.strip()])}
    if request.args.get("from", "").strip() or request.args.get("to", "").strip():
        selected.pop("year", None)  # the from/to range replaces a year link's year (search_form.request_from_args)
    if result is not None:
        result.facets["subject"] = data.merged_subjects(result.facets.get("subject", []))
    works = data.hit_works(hub, result.hits) if result else {}
    rows = list(zip(request.args.getlist("af"), request.args.getlist("at"), request.args.getlist("ao"),
                    strict=False))
    rows += [("any", "", "AND")] * max(0, search_form.ADVANCED_ROWS - len(rows))
    years = [int(v.value) for v in result.facets.get("year", []) if v.value.isdigit()] if result else []
    typed = request.args.get("q", "") or " ".join(request.args.getlist("at"))
    suggestions = [(c.label(lang), f'"{c.en}" OR "{c.zh}"') for c in similar_subjects(typed)] \
        if result is not None and not result.hits and typed.strip() else []
    context = dict(
        q=req.q if req else request.args.get("q", ""), result=result, req=req, error=error, works=works,
        selected=selected, names=data.name_lookup(hub, lang), sorts=SORTS, lang=lang,
        sort=request.args.get("sort", "relevance"), filter_url=filter_url, page_url=page_url, url_with=url_with,
        facets=[f for f in FACETS if f != "year"], page_sizes=search_form.PAGE_SIZES,
        fields=search_form.ADVANCED_FIELDS, operators=[op.value for op in search_form.BoolOp], rows=rows,
        advanced_open=any(request.args.getlist("at")) or bool(request.args.get("adv")),
        year_from=request.args.get("from", ""), year_to=request.args.get("to", ""),
        # the year facet holds the newest facet_size years: the oldest is known only when it is not cut
        year_span=(min(years), max(years)) if years and len(years) < req.facet_size else None,
        pages=search_form.page_numbers(result.page, result.pages) if result else [],
        export_max=hub.settings["SEARCH_EXPORT_MAX"], kept_args=search_form.kept_args,
        subject_label=subject_label, suggestions=suggestions, types=sorted(TYPES), languages=sorted(LANGUAGES),
        export_query=request.query_string.decode("utf-8", "replace"))
    return render_template("search.html", **context), 400 if error else 200


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
    candidates = meta.get("files") or []
    inst_name = inst.name("zh" if citation_styles.is_chinese(meta) else "en")  # as the work's language has it
    return render_template(
        "record.html", record=rec, meta=meta, repository=repo, institution=inst, files=files,
        candidates=candidates, versions=data.other_copies(hub, rec), lang=lang,
        title=pick(meta.get("titles"), lang) or rec.source_identifier,
        offer=data.fulltext_offer(files, candidates), usage=data.usage_counts(hub, rec.id),
        identifiers=data.identifier_links(meta),
        styles={"gbt7714": citation_styles.gbt7714(meta, inst_name), "apa": citation_styles.apa(meta, url, inst_name)},
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
