"""Issue 14, item 8: one overall deadline per outgoing request, and no admin request waiting on a
repository.

A local server drips its answer one byte every 50 ms (30 s for the whole body); with a deadline of
one second and a read timeout of ten (each byte arrives well within the read timeout, so the read
timeout alone never fires), every kind of outgoing request fails with a clear, retryable
DeadlineExceeded long before the answer is complete. And a repository check asked for in the
admin area runs as a task: the form answers while the repository still holds the check's request,
and the page shows the check running, then its report; the one request registration itself makes
(Identify: is it a repository at all?) is bounded by the deadline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from hub.fulltext.fetch import FetchFailed, download
from hub.http import DeadlineExceeded, HttpClient
from storage import open_store
from tests.admin.conftest import network, signed_in, site  # noqa: F401  (fixtures)
from tests.admin.test_repositories import register, wait_for_check
from tests.core.servers import serve_app
from tests.security.drip import DripServer

DEADLINE = 1.0
MARGIN = 8.0  # generous: a loaded CI machine; the whole answer would take 30 s


@pytest.fixture
def drip() -> Iterator[DripServer]:
    server = DripServer()
    yield server
    server.stop()


@pytest.fixture
def settings() -> dict:
    return {"ALLOW_PRIVATE_ADDRESSES": True, "USER_AGENT": "CHAIR-Hub/test", "HTTP_CONNECT_TIMEOUT": 5.0,
            "HTTP_READ_TIMEOUT": 10.0, "HTTP_MAX_RETRIES": 3, "HTTP_BACKOFF_BASE": 0.01, "HTTP_BACKOFF_MAX": 0.05,
            "HTTP_DEADLINE": DEADLINE, "FILE_DEADLINE": DEADLINE}


def _fails_within_deadline(call) -> DeadlineExceeded:
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded) as info:
        call()
    assert time.monotonic() - started < DEADLINE + MARGIN
    return info.value


def test_a_dripping_page_fails_at_the_deadline_and_is_not_retried_at_once(drip, settings):
    client = HttpClient(settings, sleep=lambda seconds: None)
    error = _fails_within_deadline(lambda: client.get(drip.url, params={"verb": "Identify"}))
    assert error.retryable and "HTTP_DEADLINE" in str(error) and drip.url in str(error)
    assert not drip.finished.is_set() and drip.sent < len(drip.body)
    assert drip.requests == 1  # a deadline is not spent again and again on the same slow server


def test_dripped_headers_fail_at_the_deadline(settings):
    server = DripServer(drip_headers=True)
    try:
        client = HttpClient(settings, sleep=lambda seconds: None)
        _fails_within_deadline(lambda: client.get(server.url))
        assert server.sent == 0
    finally:
        server.stop()


def test_a_dripping_post_fails_at_the_deadline(drip, settings):
    client = HttpClient(settings, sleep=lambda seconds: None)
    _fails_within_deadline(lambda: client.post_json(drip.url, {"query": 1}))


def test_a_dripping_file_download_fails_as_deadline(tmp_path, settings):
    server = DripServer(body=b"%PDF-1.4 " + b"x" * 600, content_type="application/pdf")
    try:
        client = HttpClient(settings, sleep=lambda seconds: None)
        started = time.monotonic()
        with pytest.raises(FetchFailed) as info:
            download(client, open_store(f"file://{tmp_path}"), server.url, max_bytes=10**6, resume_attempts=3)
        assert time.monotonic() - started < DEADLINE + MARGIN
        assert info.value.kind == "deadline" and info.value.retryable and "FILE_DEADLINE" in info.value.message
        assert server.requests == 1  # not resumed with Range as if the transfer had broken
    finally:
        server.stop()


def test_a_quick_answer_is_read_whole_within_the_deadline(settings):
    server = DripServer(body=b"<OAI-PMH/>", interval=0.0)
    try:
        result = HttpClient(settings).get(server.url)
        assert result.status == 200 and result.body == b"<OAI-PMH/>"
    finally:
        server.stop()


# -- the admin form never waits on a repository ------------------------------------------------


IDENTIFY = (b'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
            b"<responseDate>2025-01-01T00:00:00Z</responseDate><request>x</request><Identify><repositoryName>Held IR"
            b"</repositoryName><baseURL>x</baseURL><protocolVersion>2.0</protocolVersion><adminEmail>a@b.c</adminEmail>"
            b"<earliestDatestamp>2020-01-01</earliestDatestamp><deletedRecord>no</deletedRecord>"
            b"<granularity>YYYY-MM-DD</granularity></Identify></OAI-PMH>")


class HeldRepository:
    """A WSGI app that holds every request until released (a repository slower than any form); with
    ``answer_first``, the first request (registration's Identify, which asks whether it is a repository
    at all) is answered at once and only the check's requests are held."""

    def __init__(self, answer_first: bool = True) -> None:
        self.release, self.arrived = threading.Event(), threading.Event()
        self.answer_first = answer_first

    def __call__(self, environ, start_response):
        if self.answer_first:
            self.answer_first = False
            start_response("200 OK", [("Content-Type", "text/xml")])
            return [IDENTIFY]
        self.arrived.set()
        self.release.wait(60)
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"down for maintenance"]


def test_registering_returns_at_once_and_the_page_shows_the_check_running(app, hub, network, signed_in):  # noqa: F811
    held = HeldRepository()
    hub.configure(HTTP_MAX_RETRIES=0)
    client = signed_in("dh-admin")
    with serve_app(held) as url:
        try:
            response = register(client, network.donghai, f"{url}oai/request", name="Held IR")
            # The answer came while the repository still holds the check's first request.
            assert response.status_code == 302 and not held.release.is_set()
            repo_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
            assert client.get(f"/admin/repositories/{repo_id}/check.json").get_json()["state"] == "running"
            page = client.get(f"/admin/repositories/{repo_id}").get_data(as_text=True)
            assert 'data-state="running"' in page and "The check is running" in page
            assert held.arrived.wait(30)  # the check did start, in the background
            response = client.post(f"/admin/repositories/{repo_id}/check", data={"csrf_token": client.csrf})
            assert response.status_code == 302 and not held.release.is_set()  # "check again" does not wait either
        finally:
            held.release.set()
        progress = wait_for_check(client, repo_id)
    assert progress["state"] == "done" and progress["ok"] is False
    page = client.get(f"/admin/repositories/{repo_id}").get_data(as_text=True)
    assert 'data-state="done"' in page and "The check is running" not in page and "503" in page


def test_registration_asks_the_source_within_the_deadline(app, hub, network, signed_in):  # noqa: F811
    """The one request registration makes (is it a repository at all?) is bounded by HTTP_DEADLINE: a
    repository that holds it gets the failed check on the form, while it still holds the request."""
    held = HeldRepository(answer_first=False)
    hub.configure(HTTP_MAX_RETRIES=0, HTTP_DEADLINE=DEADLINE)
    client = signed_in("dh-admin")
    with serve_app(held) as url:
        try:
            response = register(client, network.donghai, f"{url}oai/request", name="Held IR")
            assert response.status_code == 422 and held.arrived.is_set() and not held.release.is_set()
            body = response.get_data(as_text=True)
            assert 'id="check-failed"' in body and "deadline" in body and 'name="save_paused"' in body
        finally:
            held.release.set()
