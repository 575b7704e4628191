"""The ResourceSync endpoints: the Source Description, each set's documents, records and dumps.

- ``/.well-known/resourcesync``: the Source Description;
- ``/resourcesync/<set>/capabilitylist.xml``, ``resourcelist.xml`` (a list or an index),
  ``resourcelist/records/<cursor>.xml``, ``resourcelist/files/<sha256>.xml``, ``changelist.xml``
  (the Change List index), ``changelist/<day>.xml``, ``changelist/<day>/<cursor>.xml``,
  ``resourcedump.xml``, ``dumps/<name>.zip`` and ``dumps/<name>.manifest.xml``, where ``<set>`` is
  ``hub``, ``members/<slug>`` or ``repositories/<id>``;
- ``/resourcesync/records/<id>.xml`` and ``.json``: a record's oai_dc and JSON documents, the
  bytes the lists' hashes were computed from (404 for a tombstone).

Documents stream from a session that stays open until their last chunk. A name the hub never
wrote (a bad cursor, a day that is not a date) is a 404.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from flask import Blueprint, Flask, Response, abort, stream_with_context
from sqlalchemy.orm import Session

from hub.app import current_hub
from hub.web.files import stream_object
from oai.provider.xmltext import http_date
from oai.resourcesync import capabilities
from oai.resourcesync.changes import Changes
from oai.resourcesync.documents import CONTENT_TYPE
from oai.resourcesync.dumps import ZIP_TYPE, dump_document, latest_dump
from oai.resourcesync.lists import BadPage, Source
from oai.resourcesync.resources import JSON_TYPE, XML_TYPE, Renderer
from oai.resourcesync.scopes import resolve

blueprint = Blueprint("resourcesync", __name__)
XML_CONTENT_TYPE = f"{CONTENT_TYPE}; charset=utf-8"


def _streamed(make: Callable[[Session], Iterator[str]]) -> Response:
    """A streamed XML document made from a session of its own (closed after the last chunk)."""
    session = current_hub().db.sessionmaker()
    try:
        chunks = make(session)
        first = next(chunks)  # errors (a bad page name) are raised before the answer starts
    except BaseException:
        session.close()
        raise

    def generate() -> Iterator[bytes]:
        try:
            yield first.encode("utf-8")
            for chunk in chunks:
                yield chunk.encode("utf-8")
        finally:
            session.close()

    return Response(stream_with_context(generate()), status=200, content_type=XML_CONTENT_TYPE)


@blueprint.get("/.well-known/resourcesync")
def source_description() -> Response:
    """The Source Description."""
    return _streamed(lambda session: capabilities.source_description(current_hub().settings, session))


@blueprint.get("/resourcesync/records/<int:record_id>.xml")
def record_xml(record_id: int) -> Response:
    """A record's oai_dc document."""
    return _record(record_id, 0, XML_TYPE)


@blueprint.get("/resourcesync/records/<int:record_id>.json")
def record_json(record_id: int) -> Response:
    """A record's JSON document."""
    return _record(record_id, 1, JSON_TYPE)


def _record(record_id: int, which: int, mime_type: str) -> Response:
    hub = current_hub()
    with hub.db.session() as session:
        found = Renderer(hub.settings, session).one(record_id)
    if found is None or found[1][which].data is None:
        abort(404)
    view, representations = found
    data = representations[which].data
    response = Response(data, status=200, content_type=f"{mime_type}; charset=utf-8")
    response.headers["Last-Modified"] = http_date(view.hub_datestamp)
    digest = representations[which].digest
    if digest is not None:
        response.headers["ETag"] = f'"{digest.sha256}"'
    return response


@blueprint.get("/resourcesync/hub/<path:name>")
def hub_document(name: str) -> Response:
    """A document of the whole hub's set."""
    return _document("hub", "", name)


@blueprint.get("/resourcesync/<kind>/<key>/<path:name>")
def set_document(kind: str, key: str, name: str) -> Response:
    """A document of a member's or a repository's set."""
    if kind == "hub":
        abort(404)
    return _document(kind, key, name)


def _document(kind: str, key: str, name: str) -> Response:
    hub = current_hub()
    store = hub.store
    if name.startswith("dumps/"):
        return _dump_file(kind, key, name.removeprefix("dumps/"))

    def make(session: Session) -> Iterator[str]:
        scope = resolve(session, kind, key)
        if scope is None:
            abort(404)
        source = Source(hub.settings, session, scope, store)
        parts = name.removesuffix(".xml").split("/") if name.endswith(".xml") else []
        try:
            return _dispatch(source, parts)
        except BadPage:
            abort(404)

    return _streamed(make)


def _dispatch(source: Source, parts: list[str]) -> Iterator[str]:
    """The document a path names (its parts, ``.xml`` removed); 404 for any other."""
    match parts:
        case ["capabilitylist"]:
            return capabilities.capability_list(source, source.store)
        case ["resourcelist"]:
            return source.resource_list()
        case ["resourcelist", "records", token]:
            return source.record_page(token)
        case ["resourcelist", "files", token]:
            return source.file_page(token)
        case ["changelist"]:
            return Changes(source).index()
        case ["changelist", day]:
            return Changes(source).day_list(day)
        case ["changelist", day, token]:
            return Changes(source).day_list(day, token)
        case ["resourcedump"]:
            info = latest_dump(source.store, source.scope)
            if info is None:
                abort(404)
            return dump_document(source, info)
    abort(404)


def _dump_file(kind: str, key: str, name: str) -> Response:
    """The current (or the previous) dump zip of a set, or its manifest."""
    hub = current_hub()
    store = hub.store
    with hub.db.session() as session:
        scope = resolve(session, kind, key)
    if scope is None:
        abort(404)
    info = latest_dump(store, scope)
    if info is None:
        abort(404)
    folder = info.key.rsplit("/", 1)[0]
    if name.endswith(".manifest.xml"):
        object_key, content_type = f"{folder}/{name}", XML_CONTENT_TYPE
    elif name.endswith(".zip"):
        object_key, content_type = f"{folder}/{name}", ZIP_TYPE
    else:
        abort(404)
    stem = name.removesuffix(".manifest.xml").removesuffix(".zip")
    if not stem.replace("-", "").isalnum():
        abort(404)
    found = store.stat(object_key)
    if found is None:
        abort(404)
    return stream_object(object_key, found.size, content_type, f"{stem}-{name.rsplit('.', 1)[1]}")


def init_app(app: Flask) -> None:
    """Register the ResourceSync endpoints."""
    app.register_blueprint(blueprint)
