"""HttpClient against a real local server: retries, Retry-After, byte caps, address checks, politeness."""

from __future__ import annotations

import contextlib
import gzip
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from werkzeug.wrappers import Response

from hub.http import (
    FetchResult,
    HarvestError,
    HttpClient,
    HttpError,
    ResponseTooLarge,
    RetryLater,
    UnsafeURLError,
    check_url,
    is_public_address,
    parse_retry_after,
)


def test_get_reads_body_and_sends_identity_headers(server, http):
    server.script(Response(b"<ok/>", content_type="text/xml"))
    result = http.get(server.url, {"verb": "Identify"})
    assert isinstance(result, FetchResult)
    assert (result.status, result.body, result.url) == (200, b"<ok/>", server.url + "?verb=Identify")
    sent = server.requests[0].headers
    assert sent["User-Agent"] == "CHAIR-Hub/test (+https://chair.example.org)"
    assert sent["Accept-Encoding"] == "gzip, deflate"


def test_gzip_body_is_decoded(server, http):
    server.script(Response(gzip.compress(b"<OAI-PMH/>"), headers={"Content-Encoding": "gzip"}))
    assert http.get(server.url).body == b"<OAI-PMH/>"


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_transient_statuses_are_retried_with_capped_backoff(server, http, sleeps, status):
    server.script(Response(b"", status=status), Response(b"", status=status), Response(b"", status=status),
                  Response(b"fine"))
    assert http.get(server.url).body == b"fine"
    assert len(server.requests) == 4
    # base 0.01 doubling, capped at 0.05, plus at most 10 % jitter
    for delay, expected in zip(sleeps, [0.01, 0.02, 0.04], strict=True):
        assert expected <= delay <= expected * 1.1


def test_backoff_is_capped(settings, sleeps):
    client = HttpClient(settings, sleep=sleeps.append)
    assert 0.05 <= client.backoff_delay(10) <= 0.055


def test_retry_after_seconds_is_honoured(server, http, sleeps):
    server.script(Response(b"busy", status=503, headers={"Retry-After": "7"}), Response(b"fine"))
    assert http.get(server.url).body == b"fine"
    assert sleeps == [7.0]


def test_retry_after_http_date_is_honoured(server, http, sleeps):
    when = datetime.now(UTC) + timedelta(seconds=120)
    server.script(Response(b"", status=429, headers={"Retry-After": format_datetime(when, usegmt=True)}),
                  Response(b"fine"))
    assert http.get(server.url).body == b"fine"
    assert len(sleeps) == 1 and 100 < sleeps[0] <= 120


def test_retry_after_longer_than_allowed_fails_at_once_resumably(server, http, sleeps):
    server.script(Response(b"", status=503, headers={"Retry-After": "86400"}), Response(b"fine"))
    with pytest.raises(RetryLater) as info:
        http.get(server.url)
    assert info.value.seconds == 86400 and info.value.retryable
    assert "86400" in str(info.value) and "HTTP_MAX_RETRY_AFTER" in str(info.value)
    assert len(server.requests) == 1 and sleeps == []


def test_retries_exhausted_raise_a_clear_http_error(server, http, sleeps):
    server.handler = lambda request: Response(b"", status=503)
    with pytest.raises(HttpError) as info:
        http.get(server.url)
    assert info.value.status == 503 and info.value.retryable
    assert server.url in str(info.value) and "4 times" in str(info.value) and "HTTP 503" in str(info.value)
    assert len(server.requests) == 4 and len(sleeps) == 3


def test_client_errors_are_not_retried(server, http, sleeps):
    server.script(Response(b"gone", status=404))
    result = http.get(server.url)
    assert result.status == 404 and len(server.requests) == 1 and sleeps == []
    with pytest.raises(HttpError):
        result.raise_for_status()


def test_empty_200_body_is_returned(server, http):
    server.script(Response(b""))
    assert http.get(server.url).body == b""


def test_truncated_body_is_retried_then_fails_clearly(server, http):
    def truncated(request: Any) -> Response:
        response = Response(b"<OAI-PMH>", content_type="text/xml")
        response.headers["Content-Length"] = "5000"
        return response

    server.script(truncated, Response(b"<OAI-PMH/>"))
    assert http.get(server.url).body == b"<OAI-PMH/>"
    server.handler = truncated
    with pytest.raises(HttpError, match="truncated"):
        http.get(server.url)


def test_oversized_body_fails_without_retry(server, http, sleeps):
    server.handler = lambda request: Response(b"x" * 5000)
    with pytest.raises(ResponseTooLarge, match="1000"):
        http.get(server.url, max_bytes=1000)
    assert len(server.requests) == 1 and not ResponseTooLarge("x").retryable


def test_oversized_gzip_body_is_capped_after_decoding(server, http):
    server.handler = lambda request: Response(gzip.compress(b"a" * 100_000), headers={"Content-Encoding": "gzip"})
    with pytest.raises(ResponseTooLarge):
        http.get(server.url, max_bytes=10_000)


def test_connection_refused_is_retried_then_fails(settings, sleeps):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = HttpClient(settings, sleep=sleeps.append)
    with pytest.raises(HttpError, match="connection error"):
        client.get(f"http://127.0.0.1:{port}/oai")
    assert len(sleeps) == 3


def test_request_delay_spaces_requests(server, settings, sleeps):
    settings["HARVEST_REQUEST_DELAY"] = 30.0
    client = HttpClient(settings, sleep=sleeps.append)
    server.handler = lambda request: Response(b"ok")
    client.get(server.url)
    assert sleeps == []
    client.get(server.url)
    assert len(sleeps) == 1 and 25 < sleeps[0] <= 30


def test_limiter_wraps_every_request(server, settings, sleeps):
    entered: list[str] = []

    @contextlib.contextmanager
    def limiter() -> Iterator[None]:
        entered.append("in")
        yield
        entered.append("out")

    client = HttpClient(settings, sleep=sleeps.append, limiter=limiter)
    server.script(Response(b"", status=503), Response(b"ok"))
    client.get(server.url)
    assert entered == ["in", "out", "in", "out"]


def test_redirects_are_followed_and_bounded(server, http):
    server.handler = lambda request: (Response(b"", status=302, headers={"Location": "/final"})
                                      if request.path != "/final" else Response(b"arrived"))
    result = http.get(server.url)
    assert result.body == b"arrived" and result.url.endswith("/final")
    server.handler = lambda request: Response(b"", status=301, headers={"Location": request.path + "x"})
    with pytest.raises(HttpError, match="redirected more than 10 times"):
        http.get(server.url)


def test_stream_yields_a_checked_response(server, http):
    server.handler = lambda request: Response(b"%PDF-1.4 data")
    with http.stream(server.url) as response:
        assert b"".join(response.iter_content(4)) == b"%PDF-1.4 data"
    server.handler = lambda request: Response(b"x" * 100)
    with pytest.raises(ResponseTooLarge), http.stream(server.url, max_bytes=10):
        pass
    server.handler = lambda request: Response(b"no", status=404)
    with pytest.raises(HttpError, match="404"), http.stream(server.url):
        pass


# -- address safety ----------------------------------------------------------------------------

@pytest.mark.parametrize("address", [
    "10.0.0.1", "172.16.5.4", "192.168.1.1", "127.0.0.1", "169.254.169.254", "0.0.0.0", "224.0.0.1",
    "100.64.0.1", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "ff02::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
])
def test_non_public_literal_addresses_are_refused(address):
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(UnsafeURLError, match="private"):
        check_url(f"http://{host}/oai", allow_private=False)
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_public_literal_addresses_pass(address):
    host = f"[{address}]" if ":" in address else address
    check_url(f"https://{host}/oai", allow_private=False)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://repo.example.org/", "gopher://x/", "http:///nohost"])
def test_bad_schemes_are_refused_even_when_private_is_allowed(url):
    with pytest.raises(UnsafeURLError):
        check_url(url, allow_private=True)


def test_every_resolved_address_is_checked():
    def resolver(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.1.2.3"]

    with pytest.raises(UnsafeURLError, match="10.1.2.3"):
        check_url("http://repo.example.org/oai", allow_private=False, resolver=resolver)
    check_url("http://repo.example.org/oai", allow_private=False, resolver=lambda h, p: ["93.184.216.34"])


def test_loopback_server_refused_without_allow_private(server, settings, sleeps):
    settings["ALLOW_PRIVATE_ADDRESSES"] = False
    client = HttpClient(settings, sleep=sleeps.append)
    with pytest.raises(UnsafeURLError, match="ALLOW_PRIVATE_ADDRESSES"):
        client.get(server.url)
    assert server.requests == [] and isinstance(UnsafeURLError("x"), HarvestError)
    assert not UnsafeURLError("x").retryable


def test_redirect_to_a_private_address_is_refused(server, settings, sleeps):
    """The loopback test server is made to pass the check (the client connects to the checked
    address, so the check must accept it); its redirects to 127.0.0.2 and 169.254.169.254 must be
    refused, each hop being resolved and judged again."""
    settings["ALLOW_PRIVATE_ADDRESSES"] = False
    client = HttpClient(settings, sleep=sleeps.append)
    client.address_allowed = lambda address: address == "127.0.0.1"
    secret = f"http://127.0.0.2:{server.port}/secret"
    server.handler = lambda request: Response(b"", status=302, headers={"Location": secret})
    with pytest.raises(UnsafeURLError, match="127.0.0.2"):
        client.get(f"http://127.0.0.1:{server.port}/start")
    assert [r.path for r in server.requests] == ["/start"]
    server.handler = lambda request: Response(b"", status=307,
                                              headers={"Location": "http://169.254.169.254/latest/meta-data"})
    with pytest.raises(UnsafeURLError, match="169.254.169.254"):
        client.get(f"http://127.0.0.1:{server.port}/start")


def test_parse_retry_after_forms():
    now = datetime(2024, 6, 3, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("Mon, 03 Jun 2024 12:02:00 GMT", now) == 120.0
    assert parse_retry_after("Mon, 03 Jun 2024 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None and parse_retry_after(None, now) is None
