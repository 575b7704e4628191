"""The WSGI server of the sample repositories: several fictional members under one host.

URLs (slug = the repository's slug):

    /                                                  index of repositories and their base URLs
    /<slug>/                                           repository home page
    DSpace style
    /<slug>/oai/request                                OAI-PMH (GET and POST)
    /<slug>/handle/123456789/<n>                       landing page
    /<slug>/bitstream/123456789/<n>/1/<name>.pdf       full text
    EPrints style
    /<slug>/cgi/oai2                                   OAI-PMH (GET and POST)
    /<slug>/id/eprint/<n>                              landing page
    /<slug>/<n>/1/<name>.pdf                           full text (401 for validuser/staffonly documents)
    /<slug>/cgi/export/eprint/<n>/XML/<slug>-eprint-<n>.xml   EP3 XML export

Full texts are generated on first request (deterministic bytes, kept in a bounded cache) and served with
Content-Type, Content-Length, ETag, Last-Modified, conditional requests and byte ranges (206).

`serve()` runs the app in a background thread (tests, `chair demo`); `main()` is what the CLI's
`chair sample-repos` calls; it blocks until interrupted.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from hub.samples import pages
from hub.samples.catalog import RepositoryStyle, SampleRepository, demo_repositories
from hub.samples.faults import attach_faults
from hub.samples.oai import handle_oai
from hub.samples.pdf import record_pdf
from hub.samples.records import HANDLE_PREFIX, SampleRecord, generate_record, index_from_number

PDF_CACHE_SIZE = 2048


class QuietRequestHandler(WSGIRequestHandler):
    """HTTP/1.1 keep-alive, no per-request log lines."""

    protocol_version = "HTTP/1.1"

    def log_request(self, *args: Any, **kwargs: Any) -> None:  # noqa: D102 - silence access logs
        return None


class SampleApp:
    """The WSGI application; `server_url` None means "the host the request came to"."""

    def __init__(self, repos: list[SampleRepository], server_url: str | None = None) -> None:
        self.repos = {repo.slug: repo for repo in repos}
        self.server_url = server_url.rstrip("/") if server_url else None
        self._pdfs: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        """Route one request."""
        server_url = self.server_url or request.host_url.rstrip("/")
        parts = [p for p in request.path.split("/") if p]
        if not parts:
            return _html(pages.index_page(list(self.repos.values()), server_url))
        repo = self.repos.get(parts[0])
        if repo is None:
            return _not_found()
        rest = parts[1:]
        if not rest:
            return _html(pages.repository_home(repo, server_url))
        dspace = repo.style is RepositoryStyle.DSPACE
        if (dspace and rest == ["oai", "request"]) or (not dspace and rest == ["cgi", "oai2"]):
            return self.oai(request, repo, server_url)
        if dspace and len(rest) == 3 and rest[:2] == ["handle", HANDLE_PREFIX]:
            return self.landing(repo, rest[2], server_url)
        if dspace and len(rest) == 5 and rest[:2] == ["bitstream", HANDLE_PREFIX] and rest[3] == "1":
            return self.fulltext(request, repo, rest[2], rest[4])
        if not dspace and len(rest) == 3 and rest[:2] == ["id", "eprint"]:
            return self.landing(repo, rest[2], server_url)
        if not dspace and len(rest) == 3 and rest[1] == "1":
            return self.fulltext(request, repo, rest[0], rest[2])
        if not dspace and len(rest) == 6 and rest[:3] == ["cgi", "export", "eprint"] and rest[4] == "XML":
            return self.export(repo, rest[3], rest[5], server_url)
        return _not_found()

    def oai(self, request: Request, repo: SampleRepository, server_url: str) -> Response:
        """An OAI-PMH request (GET query or POST form)."""
        source = request.form if request.method == "POST" else request.args
        args = {key: source.getlist(key) for key in source}
        reply = handle_oai(repo, args, server_url)
        response = Response(reply.body, status=reply.status)
        response.headers.clear()
        for name, value in reply.headers:
            response.headers.add(name, value)
        if not any(name.lower() == "content-type" for name, _ in reply.headers):
            response.headers["Content-Type"] = "text/plain"
        response.headers["Content-Length"] = str(len(reply.body))
        return response

    def _record(self, repo: SampleRepository, number: str) -> SampleRecord | None:
        index = index_from_number(repo, int(number)) if number.isdigit() else None
        return None if index is None else generate_record(repo, index)

    def landing(self, repo: SampleRepository, number: str, server_url: str) -> Response:
        """A record's landing page (410 for a deleted record)."""
        record = self._record(repo, number)
        if record is None:
            return _not_found()
        return _html(pages.landing_page(repo, server_url, record), 410 if record.deleted else 200)

    def export(self, repo: SampleRepository, number: str, file_name: str, server_url: str) -> Response:
        """The EP3 XML export of an eprint."""
        record = self._record(repo, number)
        if record is None or file_name != f"{repo.slug}-eprint-{number}.xml":
            return _not_found()
        return Response(pages.ep3_export(repo, server_url, record), content_type="text/xml; charset=utf-8")

    def pdf_bytes(self, repo: SampleRepository, record: SampleRecord) -> bytes:
        """The record's PDF, from the bounded cache or freshly generated."""
        key = (repo.slug, repo.seed, repo.records, repo.revision, record.index)
        with self._lock:
            data = self._pdfs.get(key)
            if data is not None:
                self._pdfs.move_to_end(key)
                return data
        data = record_pdf(repo, record)
        with self._lock:
            self._pdfs[key] = data
            while len(self._pdfs) > PDF_CACHE_SIZE:
                self._pdfs.popitem(last=False)
        return data

    def fulltext(self, request: Request, repo: SampleRepository, number: str, file_name: str) -> Response:
        """A record's PDF with ETag, Last-Modified, conditional GET and Range support."""
        record = self._record(repo, number)
        if record is None or record.deleted or record.file_name != file_name:
            return _not_found()
        if record.security != "public":
            return _html(pages.login_required_page(), 401)
        data = self.pdf_bytes(repo, record)
        response = Response(data, content_type="application/pdf")
        response.set_etag(hashlib.sha1(data).hexdigest())
        response.last_modified = datetime.fromtimestamp(record.timestamp, UTC)
        response.headers["Content-Disposition"] = f'inline; filename="{file_name}"'
        try:
            return response.make_conditional(request, accept_ranges=True, complete_length=len(data))
        except RequestedRangeNotSatisfiable as exc:
            return exc.get_response(request.environ)  # 416 with Content-Range: bytes */<length>


def _html(body: bytes, status: int = 200) -> Response:
    return Response(body, status=status, content_type="text/html; charset=utf-8")


def _not_found() -> Response:
    return _html(b"<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>", 404)


def make_app(repos: list[SampleRepository], base_url: str | None = None) -> SampleApp:
    """The WSGI app serving `repos`; links are built on `base_url` (default: the request's host)."""
    return SampleApp(repos, base_url)


def serve(repos: list[SampleRepository], host: str = "127.0.0.1",
          port: int = 0) -> tuple[BaseWSGIServer, threading.Thread, str]:
    """Serve `repos` from a background thread; returns (server, thread, base_url).

    Stop with `server.shutdown(); server.server_close()`.
    """
    app = make_app(repos)
    server = make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler)
    base_url = f"http://{host}:{server.server_port}"
    app.server_url = base_url
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="chair-sample-repos", daemon=True)
    thread.start()
    return server, thread, base_url


def run_forever(repos: list[SampleRepository], host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve `repos` in the foreground until interrupted (Ctrl-C)."""
    app = make_app(repos)
    server = make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler)
    app.server_url = f"http://{host}:{server.server_port}"
    print(f"Sample repositories on {app.server_url}/")
    for repo in repos:
        print(f"  {repo.slug:10} {repo.style.value:8} {repo.records:>9} records  {repo.base_url(app.server_url)}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(host: str = "127.0.0.1", port: int = 8001, records: int | None = None,
         faults: list[str] | None = None) -> None:
    """`chair sample-repos`: the demo catalog (optionally `records` each, with fault specs) served."""
    repos = demo_repositories(records)
    attach_faults(repos, faults or [])
    run_forever(repos, host, port)
