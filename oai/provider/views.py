"""The ``/oai`` endpoint: GET and POST, streamed responses, gzip, conditional GetRecord.

Every protocol error is answered with HTTP 200 and ``<error>``. The response is generated chunk
by chunk (``stream_with_context``) from a session that stays open until the last chunk, so the
memory a page takes does not grow with the page size. A client sending ``Accept-Encoding: gzip``
gets a gzip stream. GetRecord carries ``Last-Modified`` (the record's hub datestamp) and answers
``If-Modified-Since`` with 304 Not Modified. Every response names the theme's ``static/oai.xsl`` in
an ``xml-stylesheet`` processing instruction, so a browser shows it as a page with links (the
schemas allow a processing instruction before the root; harvesters skip it). With
``OAI_READ_AHEAD`` on, a list page is answered from the copy rendered while the harvester read the
previous page (:mod:`oai.provider.readahead`).
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime

from flask import Blueprint, Flask, Response, current_app, request, stream_with_context, url_for
from sqlalchemy.orm import Session

from hub.app import current_hub
from hub.context import Hub
from hub.models import utcnow
from oai.provider.arguments import OAIRequest, parse_request
from oai.provider.errors import OAIError
from oai.provider.formats import metadata_formats
from oai.provider.readahead import Page, ReadAhead
from oai.provider.response import ENVELOPE_END, envelope_start, error_element
from oai.provider.verbs import Answer, Provider
from oai.provider.xmltext import http_date

log = logging.getLogger(__name__)
blueprint = Blueprint("oai_provider", __name__)
CONTENT_TYPE = "text/xml; charset=utf-8"
STYLESHEET = "oai.xsl"  # in the theme's static files: the responses as pages in a browser
READ_AHEAD = "chair.oai_read_ahead"


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
    base_url = endpoint_url(hub)
    stylesheet = url_for("static", filename=STYLESHEET)
    session = hub.db.sessionmaker()
    parsed: OAIRequest | None = None
    provider: Provider | None = None
    ahead = _read_ahead()
    page: Page | None = None
    try:
        try:
            parsed = parse_request(_arguments())
            token = parsed.get("resumptionToken")
            if ahead is not None and token:
                page = ahead.take(str(parsed.verb), token)
            if page is not None:
                answer = Answer(iter(page.chunks))
            else:
                provider = _provider(hub, session, now)
                answer = provider.answer(parsed)
            echoed = echo(parsed)
        except OAIError as error:
            answer = Answer(iter([error_element(error)]))
            echoed = echo(parsed, error)
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
            yield envelope_start(now, base_url, echoed, stylesheet)
            yield from answer.chunks
            yield ENVELOPE_END
        finally:
            session.close()
        following = page.next_token if page is not None else provider.next_token if provider else None
        if ahead is not None and parsed is not None and following:
            verb = str(parsed.verb)
            ahead.schedule(verb, following, lambda: render_page(hub, verb, following))

    gzip = request.accept_encodings["gzip"] > 0
    if gzip:
        headers["Content-Encoding"] = "gzip"
    return Response(stream_with_context(_encode(generate(), gzip)), status=200, headers=headers,
                    content_type=CONTENT_TYPE)


def endpoint_url(hub: Hub) -> str:
    """The hub's public OAI-PMH base URL (what ``<request>`` and Identify's baseURL say)."""
    return str(hub.settings["BASE_URL"]).rstrip("/") + "/oai"


def echo(parsed: OAIRequest | None, error: OAIError | None = None) -> dict[str, str] | None:
    """The attributes of ``<request>``: the verb and arguments, unless the request could not be
    parsed or its error forbids echoing them (badVerb, badArgument)."""
    if parsed is None or (error is not None and not error.code.echoes_arguments):
        return None
    return {"verb": str(parsed.verb), **parsed.arguments}


def whole_response(hub: Hub, arguments: dict[str, list[str]]) -> str:
    """The complete response to ``arguments`` as one text, without the stylesheet instruction (for
    :mod:`oai.provider.html_view`; the endpoint itself streams)."""
    now = utcnow()
    parsed: OAIRequest | None = None
    session = hub.db.sessionmaker()
    try:
        try:
            parsed = parse_request(arguments)
            chunks = list(_provider(hub, session, now).answer(parsed).chunks)
            echoed = echo(parsed)
        except OAIError as error:
            chunks, echoed = [error_element(error)], echo(parsed, error)
        return envelope_start(now, endpoint_url(hub), echoed) + "".join(chunks) + ENVELOPE_END
    finally:
        session.close()


def render_page(hub: Hub, verb: str, token: str) -> Page | None:
    """The list page ``verb`` + ``token`` asks for, rendered now in a session of its own (for
    read-ahead); None when the request would be answered with an error."""
    session = hub.db.sessionmaker()
    try:
        provider = _provider(hub, session, utcnow())
        chunks = list(provider.answer(parse_request({"verb": [verb], "resumptionToken": [token]})).chunks)
        return Page(chunks, provider.next_token)
    except OAIError:
        return None
    finally:
        session.close()


def _read_ahead() -> ReadAhead | None:
    """The application's read-ahead of list pages, or None when ``OAI_READ_AHEAD`` is off."""
    return current_app.extensions[READ_AHEAD] if current_hub().settings["OAI_READ_AHEAD"] else None


def _provider(hub: Hub, session: Session, now: datetime) -> Provider:
    """A provider answering at ``now`` from ``session``, with the formats of the hub's plugins."""
    return Provider(hub.settings, session, metadata_formats(hub.pm), now)


def init_app(app: Flask) -> None:
    """Register the ``/oai`` endpoint, its read-ahead (its thread starts on first use) and its
    HTML view ``/oai/view``."""
    from oai.provider import html_view

    app.register_blueprint(blueprint)
    html_view.init_app(app)
    app.extensions[READ_AHEAD] = ReadAhead()
