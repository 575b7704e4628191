"""The ``/oai`` endpoint: GET and POST, streamed responses, gzip, conditional GetRecord.

Every protocol error is answered with HTTP 200 and ``<error>``. The response is generated chunk
by chunk (``stream_with_context``) from a session that stays open until the last chunk, so the
memory a page takes does not grow with the page size. A client sending ``Accept-Encoding: gzip``
gets a gzip stream. GetRecord carries ``Last-Modified`` (the record's hub datestamp) and answers
``If-Modified-Since`` with 304 Not Modified.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from datetime import UTC

from flask import Blueprint, Flask, Response, request, stream_with_context

from hub.app import current_hub
from hub.models import utcnow
from oai.provider.arguments import OAIRequest, parse_request
from oai.provider.errors import OAIError
from oai.provider.formats import metadata_formats
from oai.provider.response import ENVELOPE_END, envelope_start, error_element
from oai.provider.verbs import Answer, Provider
from oai.provider.xmltext import http_date

log = logging.getLogger(__name__)
blueprint = Blueprint("oai_provider", __name__)
CONTENT_TYPE = "text/xml; charset=utf-8"


def _arguments() -> dict[str, list[str]]:
    values = request.values if request.method == "POST" else request.args
    return {name: values.getlist(name) for name in values.keys()}


def _encode(chunks: Iterator[str], gzip: bool) -> Iterator[bytes]:
    if not gzip:
        for chunk in chunks:
            yield chunk.encode("utf-8")
        return
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    for chunk in chunks:
        data = compressor.compress(chunk.encode("utf-8"))
        if data:
            yield data
    yield compressor.flush()


@blueprint.route("/oai", methods=["GET", "POST"])
def endpoint() -> Response:
    """Answer one OAI-PMH request."""
    hub = current_hub()
    now = utcnow()
    base_url = str(hub.settings["BASE_URL"]).rstrip("/") + "/oai"
    session = hub.db.sessionmaker()
    parsed: OAIRequest | None = None
    try:
        try:
            parsed = parse_request(_arguments())
            provider = Provider(hub.settings, session, metadata_formats(hub.pm), now)
            answer = provider.answer(parsed)
            echoed: dict[str, str] | None = {"verb": str(parsed.verb), **parsed.arguments}
        except OAIError as error:
            answer = Answer(iter([error_element(error)]))
            echoed = ({"verb": str(parsed.verb), **parsed.arguments}
                      if parsed is not None and error.code.echoes_arguments else None)
    except BaseException:
        session.close()
        raise
    headers = {"Vary": "Accept-Encoding"}
    if answer.last_modified is not None:
        headers["Last-Modified"] = http_date(answer.last_modified)
        since = request.if_modified_since
        if since is not None and answer.last_modified.astimezone(UTC).replace(microsecond=0) <= since:
            session.close()
            return Response(status=304, headers=headers)

    def generate() -> Iterator[str]:
        try:
            yield envelope_start(now, base_url, echoed)
            yield from answer.chunks
            yield ENVELOPE_END
        finally:
            session.close()

    gzip = request.accept_encodings["gzip"] > 0
    if gzip:
        headers["Content-Encoding"] = "gzip"
    return Response(stream_with_context(_encode(generate(), gzip)), status=200, headers=headers,
                    content_type=CONTENT_TYPE)


def init_app(app: Flask) -> None:
    """Register the ``/oai`` endpoint."""
    app.register_blueprint(blueprint)
