"""Usage counting wired to the portal without touching its views (the web side of hub.stats.usage):
an ``after_request`` hook counts a view for every successful record page (``portal.record``) and a
download for every file served (``files.file_of_record``, and ``files.file_by_digest`` through the record that holds the file)."""

from __future__ import annotations

from flask import Flask, Response, request
from sqlalchemy import select

from hub.models import UsageKind
from hub.stats.usage import count_usage

VIEW_ENDPOINTS = {"portal.record"}
DOWNLOAD_ENDPOINTS = {"files.file_of_record", "files.file_by_digest"}


def _first_byte(req) -> bool:
    """A ranged download counts once: on the request that starts at byte 0."""
    ranges = req.range
    return ranges is None or not ranges.ranges or ranges.ranges[0][0] == 0


def _record_of_file(sha256: str) -> int | None:
    from hub.app import current_hub
    from hub.models import RecordFile

    with current_hub().db.session() as session:
        return session.scalar(select(RecordFile.record_id).where(RecordFile.sha256 == sha256).limit(1))


def count_response(response: Response) -> Response:
    """Count the request behind ``response`` when it served a record page or a file."""
    endpoint = request.endpoint or ""
    if request.method != "GET" or endpoint not in VIEW_ENDPOINTS | DOWNLOAD_ENDPOINTS:
        return response
    args = request.view_args or {}
    if endpoint in VIEW_ENDPOINTS:
        if response.status_code == 200 and "record_id" in args:
            count_usage(UsageKind.VIEW, args["record_id"], request)
        return response
    if response.status_code not in (200, 206, 302) or not _first_byte(request):
        return response
    record_id = args.get("record_id")
    if record_id is None and args.get("sha256"):
        record_id = _record_of_file(args["sha256"])
    if record_id is not None:
        count_usage(UsageKind.DOWNLOAD, record_id, request)
    return response


def init_app(app: Flask) -> None:
    """Register the counting hook (on the app: it must see the portal's and files' endpoints)."""
    app.after_request(count_response)
