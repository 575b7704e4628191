"""The portal's data page ``/data``: the bulk dumps, their figures and licence, and their downloads.

``/data/dumps/<name>.jsonl.gz`` streams a dump from the object store, part after part, with its
exact ``Content-Length`` and its sha-256 as the ``ETag`` (conditional GET answers 304). A name
that is not a stored dump is a 404; names are checked before any store key is formed.
"""

from __future__ import annotations

from flask import Response, abort, render_template, request
from sqlalchemy import select

from hub.app import current_hub
from hub.exchange.dumps.listing import listing, metadata_license
from hub.exchange.dumps.manifest import dump_chunks, load_manifest
from hub.models import Institution
from hub.web.portal import bp


@bp.get("/data")
def data_dumps():
    """The dumps with size, record count, date and sha-256, and the licence of the metadata."""
    hub = current_hub()
    found = listing(hub)
    slugs = [d["member"] for d in found["items"] if d["member"]]
    with hub.db.session() as session:
        names = {i.slug: (i.name_en, i.name_zh) for i in session.scalars(
            select(Institution).where(Institution.slug.in_(slugs)))} if slugs else {}
    return render_template("data.html", dumps=found["items"], license=metadata_license(hub.settings),
                           member_names=names)


@bp.get("/data/dumps/<name>.jsonl.gz")
def dump_download(name: str):
    """One dump's bytes, streamed from the store."""
    store = current_hub().store
    manifest = load_manifest(store, name)
    if manifest is None:
        abort(404)
    headers = {"ETag": f'"{manifest.sha256}"', "Cache-Control": "public, max-age=3600",
               "X-Content-Type-Options": "nosniff", "Accept-Ranges": "none"}
    if request.if_none_match and request.if_none_match.contains(manifest.sha256):
        return Response(status=304, headers=headers)
    response = Response(dump_chunks(store, manifest), content_type="application/gzip", direct_passthrough=True,
                        headers=headers)
    response.headers["Content-Length"] = str(manifest.size)
    response.headers["Content-Disposition"] = f'attachment; filename="{manifest.file_name}"'
    return response
