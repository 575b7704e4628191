"""Usage counting wired to the portal without touching its views (the web side of hub.stats.usage):
an ``after_request`` hook counts a view for every successful record page (``portal.record``) and a
download for every file served (``files.file_of_record``, and ``files.file_by_digest`` through the
record that holds the file). Robots are dropped by User-Agent; each application has one
:class:`~hub.stats.usage.UsageCounter` (:func:`usage_counter`)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, request
from sqlalchemy import select

from hub.models import UsageKind
from hub.stats.robots import is_robot
from hub.stats.usage import UsageCounter, visitor_hash

VIEW_ENDPOINTS = {"portal.record"}
DOWNLOAD_ENDPOINTS = {"files.file_of_record", "files.file_by_digest"}


def visitor_id(req: Any, settings: Any = None) -> str:
    """The visitor of a request as COUNTER identifies one without a login: a hash of the real
    client's address (X-Forwarded-For only from ``TRUSTED_PROXIES``) and its User-Agent."""
    from hub.accounts.proxies import request_client_address

    if settings is None:
        settings = current_app.extensions["chair"].settings
    return visitor_hash(request_client_address(req, settings), req.headers.get("User-Agent", ""))


def usage_counter(app: Any = None) -> UsageCounter:
    """The application's counter, made on first use."""
    if app is None:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
    counter = app.extensions.get("chair_usage")
    if counter is None:
        hub = app.extensions["chair"]
        counter = app.extensions.setdefault("chair_usage", UsageCounter(hub.db, hub.settings))
    return counter


def count_usage(kind: UsageKind | str, record_id: int, req: Any) -> bool:
    """Count a view (record page) or download (file) of ``record_id`` by the visitor of ``req``.

    Robots and double clicks are not counted; returns whether the event was counted.
    """
    if is_robot(req.headers.get("User-Agent")):
        return False
    return usage_counter().count(UsageKind(kind), int(record_id), visitor_id(req))


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
