"""The download of one link against real local HTTP servers: resume, stalls, landing pages, caps, 304."""

from __future__ import annotations

import hashlib

import pytest
from werkzeug.wrappers import Request, Response

from hub.fulltext.fetch import FetchFailed, download
from hub.http import HttpClient
from storage.base import file_key
from tests.storage.backends import bilingual_pdf


def fetch(hub, url, **kw):
    kw.setdefault("max_bytes", int(hub.settings["FILE_MAX_BYTES"]))
    kw.setdefault("resume_attempts", 3)
    return download(hub.http(None), hub.store, url, **kw)


def test_download_stores_content_addressed(hub, files_server):
    data = bilingual_pdf()
    got = fetch(hub, files_server.add_file("/a.pdf", data))
    assert got.sha256 == hashlib.sha256(data).hexdigest() and got.size == len(data)
    assert got.mime_type == "application/pdf" and got.etag
    assert b"".join(hub.store.iter_chunks(file_key(got.sha256))) == data


def test_unchanged_file_is_not_downloaded_again(hub, files_server):
    url = files_server.add_file("/a.pdf", bilingual_pdf())
    first = fetch(hub, url)
    again = fetch(hub, url, etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified
    assert files_server.hits("/a.pdf")[-1].headers.get("If-None-Match") == first.etag


def test_landing_page_served_as_pdf_is_refused(hub, files_server):
    page = b"<!DOCTYPE html><html><head><title>Item 123</title></head><body>Download</body></html>"
    files_server.add_file("/landing.pdf", page, content_type="application/pdf")
    with pytest.raises(FetchFailed) as info:
        fetch(hub, files_server.base + "/landing.pdf", declared_mime="application/pdf")
    assert info.value.kind == "landing-page"
    assert list(hub.store.keys("files/")) == []


def test_size_cap(hub, files_server):
    url = files_server.add_file("/big.pdf", b"%PDF-1.4\n" + b"0" * 100_000)
    with pytest.raises(FetchFailed) as info:
        fetch(hub, url, max_bytes=50_000)
    assert info.value.kind == "too-large"


def test_private_addresses_refused_unless_allowed(hub, files_server):
    url = files_server.add_file("/a.pdf", bilingual_pdf())
    strict = HttpClient(dict(hub.settings, ALLOW_PRIVATE_ADDRESSES=False))
    with pytest.raises(FetchFailed) as info:
        download(strict, hub.store, url, max_bytes=10**6)
    assert info.value.kind == "unsafe-url"


def test_redirect_to_private_address_is_refused(hub, files_server):
    """The local server passes the check (the client connects to the checked address); its redirect
    to a private address is refused."""
    files_server.routes["/go"] = lambda request: Response("", 302, headers={"Location": "http://10.1.2.3/x.pdf"})
    strict = HttpClient(dict(hub.settings, ALLOW_PRIVATE_ADDRESSES=False))
    strict.address_allowed = lambda address: address == "127.0.0.1"
    start = files_server.add_file("/a.pdf", b"%PDF-1.4 unused").replace("/a.pdf", "/go")
    with pytest.raises(FetchFailed) as info:
        download(strict, hub.store, start, max_bytes=10**6)
    assert info.value.kind == "unsafe-url" and "10.1.2.3" in info.value.message


def _stalling(files_server, data: bytes, honour_range: bool):
    """First request sends half the body then stalls past the read timeout; later ones behave."""
    calls = []

    def handler(request: Request) -> Response:
        calls.append(request.headers.get("Range"))
        if len(calls) == 1 or not honour_range:
            def body():
                yield data[: len(data) // 2]
                files_server.stop.wait(3)  # longer than HTTP_READ_TIMEOUT (1 s)

            response = Response(body(), content_type="application/pdf", direct_passthrough=True)
            response.headers["Content-Length"] = str(len(data))
            response.headers["ETag"] = '"stable"'
            response.headers["Accept-Ranges"] = "bytes" if honour_range else "none"
            return response
        response = Response(data, content_type="application/pdf")
        response.set_etag("stable")
        return response.make_conditional(request, accept_ranges=True, complete_length=len(data))

    files_server.routes["/stall.pdf"] = handler
    return calls


def test_stalled_transfer_resumes_with_range(hub, files_server):
    data = bilingual_pdf("resume " * 20_000)
    calls = _stalling(files_server, data, honour_range=True)
    got = fetch(hub, files_server.base + "/stall.pdf")
    assert got.sha256 == hashlib.sha256(data).hexdigest()
    assert got.resumed == 1
    offset = int(calls[1].removeprefix("bytes=").rstrip("-"))
    assert 0 < offset <= len(data) // 2  # resumed from the bytes already spooled, not from zero


def test_stalling_server_without_range_fails_clearly(hub, files_server):
    data = bilingual_pdf("stall " * 20_000)
    _stalling(files_server, data, honour_range=False)
    with pytest.raises(FetchFailed) as info:
        fetch(hub, files_server.base + "/stall.pdf", resume_attempts=1)
    assert info.value.kind == "broken-transfer" and info.value.retryable
    assert list(hub.store.keys("files/")) == []


def test_http_errors_have_kinds(hub, files_server):
    files_server.routes["/gone.pdf"] = lambda request: Response("gone", 410)
    with pytest.raises(FetchFailed) as info:
        fetch(hub, files_server.base + "/gone.pdf")
    assert info.value.kind == "http-410" and not info.value.retryable


def test_checksum_from_source_is_verified(hub, files_server):
    url = files_server.add_file("/a.pdf", bilingual_pdf())
    with pytest.raises(FetchFailed) as info:
        fetch(hub, url, checksum="sha256:" + "0" * 64)
    assert info.value.kind == "checksum-mismatch"


def test_a_download_failure_kind_is_one_of_the_hubs_error_kinds():
    from hub.fulltext.fetch import http_status_kind
    from hub.fulltext.pipeline import _RETRYABLE
    from hub.states import ErrorKind

    assert http_status_kind(404) is ErrorKind.HTTP_404
    assert http_status_kind(503) is ErrorKind.HTTP_503
    assert http_status_kind(410) == "http-410"  # a status the enum does not list keeps the same form
    assert all(isinstance(kind, ErrorKind) for kind in _RETRYABLE)
    assert "http-503" in _RETRYABLE and "http-404" not in _RETRYABLE  # stored strings compare as before
