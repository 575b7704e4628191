"""Downloads of stored full texts: ``/files/<sha256>``, ``/records/<id>/files/<n>``, ``/files/<sha256>/text``.

Only files the hub downloaded are served (restricted and embargoed ones never were). Bodies
stream from the object store in chunks with ``Range`` support (206, 416), ``ETag`` (the
sha256) and conditional GET (304). With ``FILES_REDIRECT_TO_STORE`` and an S3 store, the
browser is redirected to a short-lived presigned URL instead. Harvested files are untrusted:
every answer carries ``Content-Security-Policy: sandbox`` and ``nosniff``, and markup types
are sent as attachments, never rendered inline on the hub's origin.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Flask, Response, abort, redirect, request
from werkzeug.wrappers import Response as WerkzeugResponse

from hub.app import current_hub
from hub.fulltext.objects import ServedFile, record_file, served_file
from storage.base import ObjectMissing, file_key, text_key

bp = Blueprint("files", __name__)
_INLINE_TYPES = {"application/pdf", "text/plain", "image/png", "image/jpeg", "image/gif"}


def _security_headers(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def _disposition(found: ServedFile) -> str:
    kind = "inline" if found.mime_type in _INLINE_TYPES else "attachment"
    ascii_name = found.filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(found.filename)}"


def stream_object(key: str, size: int, content_type: str, etag: str, disposition: str = "") -> Response:
    """A streamed answer for one stored object, honouring If-None-Match, Range and If-Range."""
    if request.if_none_match and request.if_none_match.contains_weak(etag):
        return _security_headers(Response(status=304, headers={"ETag": f'"{etag}"'}))
    store = current_hub().store
    start, end, status = 0, size - 1, 200
    if_range = request.headers.get("If-Range")
    if request.range is not None and (not if_range or request.if_range.etag == etag):
        window = request.range.range_for_length(size) if request.range.units == "bytes" else None
        if window is None:
            response = Response(status=416, headers={"Content-Range": f"bytes */{size}"})
            return _security_headers(response)
        start, end, status = window[0], window[1] - 1, 206
    try:
        chunks = store.iter_chunks(key, start, end) if size else iter(())
    except ObjectMissing:
        abort(404)
    response = Response(chunks, status=status, mimetype=None, content_type=content_type, direct_passthrough=True)
    response.headers["Content-Length"] = str(end - start + 1 if size else 0)
    response.headers["Accept-Ranges"] = "bytes"
    response.headers["ETag"] = f'"{etag}"'
    response.headers["Cache-Control"] = "public, max-age=86400"
    if status == 206:
        response.headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    if disposition:
        response.headers["Content-Disposition"] = disposition
    return _security_headers(response)


def serve_file(found: ServedFile) -> WerkzeugResponse:
    """The answer for a stored file: a presigned redirect (when configured and possible) or a stream."""
    settings = current_hub().settings
    if settings.get("FILES_REDIRECT_TO_STORE"):
        url = current_hub().store.presigned_url(file_key(found.sha256), int(settings["FILES_PRESIGN_SECONDS"]),
                                                found.mime_type, found.filename)
        if url:
            response = redirect(url, 302)
            response.headers["Cache-Control"] = "no-store"
            return response
    return stream_object(file_key(found.sha256), found.size, found.mime_type, found.sha256, _disposition(found))


@bp.get("/files/<sha256>")
def file_by_digest(sha256: str) -> WerkzeugResponse:
    """A stored full text by its sha256."""
    found = served_file(current_hub(), sha256)
    if found is None:
        abort(404)
    return serve_file(found)


@bp.get("/records/<int:record_id>/files/<int:n>")
def file_of_record(record_id: int, n: int) -> WerkzeugResponse:
    """The n-th downloaded full text of a record (0-based, in the order of its links)."""
    found = record_file(current_hub(), record_id, n)
    if found is None:
        abort(404)
    return serve_file(found)


@bp.get("/files/<sha256>/text")
def file_text(sha256: str) -> Response:
    """The extracted text of a stored full text (plain UTF-8)."""
    found = served_file(current_hub(), sha256)
    if found is None or not found.extracted:
        abort(404)
    info = current_hub().store.stat(text_key(sha256))
    if info is None:
        abort(404)
    return stream_object(text_key(sha256), info.size, "text/plain; charset=utf-8", f"{sha256}-text")


def init_app(app: Flask) -> None:
    """Register the files blueprint."""
    app.register_blueprint(bp)
