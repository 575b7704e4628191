"""Fixtures of the full-text tests: a real local file server, hubs on each backend pair, records to fetch."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from hub.models import Institution, Record, Repository
from hub.states import FulltextState
from tests.storage.backends import S3_URL, TIKA_URL, cleanup_store, fresh_s3_url


def run_files(hub: Any, record_ids: list[int]) -> Any:
    """The files stage over these records and what it triggers here (extraction, then the index of the
    records with a new text), as after a harvest; the files stage's report."""
    from hub.pipeline.dispatch import run_from
    from hub.pipeline.graph import PipelineStage

    return run_from(hub, PipelineStage.FILES, record_ids)[0]


BACKENDS = ["embedded-local"] + ([pytest.param("tika-s3", marks=pytest.mark.services)] if S3_URL and TIKA_URL else [])


class _Quiet(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class FileServer:
    """A werkzeug server on 127.0.0.1:0; ``routes`` maps a path to a function of the request."""

    def __init__(self) -> None:
        self.routes: dict[str, Callable[[Request], Response]] = {}
        self.requests: list[Request] = []
        self.stop = threading.Event()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_Quiet)
        self.base = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def _app(self, environ, start_response):
        request = Request(environ)
        self.requests.append(request)
        handler = self.routes.get(request.path)
        response = handler(request) if handler else Response("not found", 404)
        return response(environ, start_response)

    def add_file(self, path: str, data: bytes, content_type: str = "application/pdf", etag: bool = True) -> str:
        """Serve ``data`` at ``path`` with Range, ETag and conditional GET (like the sample repositories)."""
        def handler(request: Request) -> Response:
            response = Response(data, content_type=content_type)
            if etag:
                response.set_etag(f"v-{len(data)}")
            return response.make_conditional(request, accept_ranges=True, complete_length=len(data))

        self.routes[path] = handler
        return self.base + path

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def close(self) -> None:
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def files_server():
    server = FileServer()
    yield server
    server.close()


@pytest.fixture(params=BACKENDS)
def overrides(overrides, request):
    """The root overrides on one backend pair: embedded + local directory, or Tika + real S3."""
    values = dict(overrides, EXTRACT_TIMEOUT=60.0, HTTP_READ_TIMEOUT=1.0, HTTP_MAX_RETRIES=1,
                  FILE_RESUME_ATTEMPTS=3)
    if request.param == "tika-s3":
        values.update(TIKA_URL=TIKA_URL, STORAGE_URL=fresh_s3_url())
    yield values
    cleanup_store(values["STORAGE_URL"])


@pytest.fixture
def repository_id(hub) -> int:
    with hub.db.session() as session:
        inst = Institution(slug="pku", name_en="Peking University", name_zh="北京大学")
        session.add(inst)
        session.flush()
        repo = Repository(institution_id=inst.id, platform="oai", base_url="http://127.0.0.1/oai")
        session.add(repo)
        session.flush()
        return repo.id


@pytest.fixture
def make_record(hub, repository_id):
    counter = iter(range(1, 10_000))

    def make(*links: dict[str, Any]) -> int:
        with hub.db.session() as session:
            record = Record(repository_id=repository_id, source_identifier=f"oai:test:{next(counter)}",
                            fulltext_links=[dict({"access": "open", "mime_type": "application/pdf"}, **link)
                                            for link in links],
                            fulltext_state=FulltextState.FOUND if links else FulltextState.NONE)
            session.add(record)
            session.flush()
            return record.id

    return make
