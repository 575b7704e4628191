"""Export of a search result: /search/export.<fmt> with the search's own arguments, as RIS, BibTeX or CSV.

An export holds the first ``SEARCH_EXPORT_MAX`` works of the result in its order (one record per
work, its best-ranked copy, as the result page lists them), read page by page from the search
backend and then from the Record table in batches. Citations come from
:mod:`hub.web.portal.citations`; CSV cells pass through :func:`hub.exports.safe_row`, so a
harvested title never runs as a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from enum import StrEnum
from typing import TYPE_CHECKING

from flask import Response, abort, request
from sqlalchemy import select

from hub.app import current_hub
from hub.exports import safe_row
from hub.models import Record
from hub.search import SearchError, search_backend
from hub.web.portal import bp, citations
from hub.web.portal.search_form import request_from_args

if TYPE_CHECKING:
    from hub.context import Hub

PAGE = 100  # works read from the backend per request
CSV_COLUMNS = ("id", "url", "title", "creators", "year", "issued", "type", "languages", "subjects", "doi",
               "institution", "repository", "full_text")


class ExportFormat(StrEnum):
    """The formats a result set is exported in (the path's suffix)."""

    RIS = "ris"
    BIBTEX = "bib"
    CSV = "csv"


MIME = {ExportFormat.RIS: "application/x-research-info-systems; charset=utf-8",
        ExportFormat.BIBTEX: "application/x-bibtex; charset=utf-8", ExportFormat.CSV: "text/csv; charset=utf-8"}


def result_ids(hub: Hub, args, limit: int) -> list[tuple[int, dict]]:
    """(record id, search document) of the first ``limit`` works of the search in ``args``."""
    req = request_from_args(args, PAGE)
    req.size, req.facets, req.highlight, req.page = PAGE, False, False, 1
    backend = search_backend(hub)
    out: list[tuple[int, dict]] = []
    while len(out) < limit:
        if req.offset >= backend.max_results:
            break
        result = backend.search(req)
        out.extend((h.id, h.doc) for h in result.hits)
        if len(result.hits) < req.size or req.page >= result.pages:
            break
        req.page += 1
    return out[:limit]


def _metas(hub: Hub, ids: list[int]) -> dict[int, dict]:
    metas: dict[int, dict] = {}
    with hub.db.session() as session:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            metas.update(session.execute(select(Record.id, Record.meta).where(Record.id.in_(chunk))).all())
    return metas


def _csv(rows: list[tuple[int, dict]], base: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for record_id, doc in rows:
        writer.writerow(safe_row([
            record_id, f"{base}/records/{record_id}", doc.get("title") or "", "; ".join(doc.get("creators") or []),
            doc.get("year") or "", doc.get("issued") or "", doc.get("type") or "",
            "; ".join(doc.get("languages") or []), "; ".join(doc.get("subjects") or []), doc.get("doi") or "",
            doc.get("institution_name_en") or doc.get("institution") or "", doc.get("repository_name") or "",
            "yes" if doc.get("has_fulltext") else "no"]))
    yield "\ufeff" + buffer.getvalue()  # the BOM makes spreadsheet programs read UTF-8


@bp.get("/search/export.<fmt>")
def export(fmt: str):
    """The current search's first SEARCH_EXPORT_MAX works as a RIS, BibTeX or CSV download."""
    try:
        kind = ExportFormat(fmt)
    except ValueError:
        abort(404)
    hub = current_hub()
    limit = int(hub.settings["SEARCH_EXPORT_MAX"])
    try:
        rows = result_ids(hub, request.args, limit)
    except SearchError as exc:
        return Response(str(exc), status=400, mimetype="text/plain")
    base = hub.settings["BASE_URL"].rstrip("/")
    if kind is ExportFormat.CSV:
        body = "".join(_csv(rows, base))
    else:
        metas = _metas(hub, [record_id for record_id, _ in rows])
        name = "bib" if kind is ExportFormat.BIBTEX else "ris"
        body = ("\n" if kind is ExportFormat.BIBTEX else "").join(
            citations.render(name, metas[i], i, f"{base}/records/{i}") for i, _ in rows if i in metas)
    response = Response(body, mimetype=MIME[kind].split(";")[0])
    response.headers["Content-Type"] = MIME[kind]
    response.headers["Content-Disposition"] = f'attachment; filename="chair-search.{kind.value}"'
    response.headers["X-Export-Count"] = str(len(rows))
    return response
