"""Issue 14, item 9: the hub connects to the address it checked (DNS rebinding), and IPv6
encodings of loopback and private IPv4 ranges are refused.

The rebinding tests use two real local servers: a "public repository" on 127.0.0.2 (declared
public through the client's address-policy hook, since a test cannot listen on a public address)
and an "internal service" on 127.0.0.1, which the policy refuses. The injected resolver answers
the public address to the first lookup and the loopback one to every later lookup, as a rebinding
name server does: the internal service must never be reached.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from hub.addresses import is_public_address
from hub.health.notify import post_webhook
from hub.http import HttpClient, HttpError, UnsafeURLError, check_url
from tests.core.servers import serve_app

PUBLIC, INTERNAL = "127.0.0.2", "127.0.0.1"


class Recorder:
    """A WSGI app that answers 200 and remembers each request's Host header and path."""

    def __init__(self, body: bytes = b"<OAI-PMH/>") -> None:
        self.body = body
        self.seen: list[tuple[str, str]] = []

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.seen.append((request.host, request.full_path))
        return Response(self.body, content_type="text/xml")(environ, start_response)


@pytest.fixture
def servers() -> Iterator[tuple[Recorder, Recorder, int]]:
    """The same port on 127.0.0.2 (public stand-in) and 127.0.0.1 (internal)."""
    public, internal = Recorder(b"public"), Recorder(b"internal secret")
    inner = make_server(INTERNAL, 0, internal, threaded=True)
    port = inner.server_port
    outer = make_server(PUBLIC, port, public, threaded=True)
    import threading

    for server in (inner, outer):
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield public, internal, port
    for server in (inner, outer):
        server.shutdown()
        server.server_close()


class RebindingResolver:
    """Answers ``first`` to the first lookup and ``then`` to every later one; counts lookups."""

    def __init__(self, first: str, then: str) -> None:
        self.first, self.then, self.lookups = first, then, []

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        return [self.first if len(self.lookups) == 1 else self.then]


def strict_client(resolver) -> HttpClient:
    settings = {"ALLOW_PRIVATE_ADDRESSES": False, "HTTP_MAX_RETRIES": 0, "HTTP_CONNECT_TIMEOUT": 3.0,
                "HTTP_READ_TIMEOUT": 5.0}
    client = HttpClient(settings, sleep=lambda seconds: None, resolver=resolver)
    client.address_allowed = lambda address: address == PUBLIC or is_public_address(address)
    return client


def test_the_connection_goes_to_the_checked_address_not_a_rebound_one(servers):
    public, internal, port = servers
    resolver = RebindingResolver(PUBLIC, INTERNAL)
    client = strict_client(resolver)
    result = client.get(f"http://rebind.test:{port}/oai?verb=Identify")
    assert result.body == b"public"
    assert internal.seen == [] and public.seen == [(f"rebind.test:{port}", "/oai?verb=Identify")]
    assert resolver.lookups == ["rebind.test"]  # resolved once, for the check and the connection
    # The name now rebinds to loopback: the next request checks that answer and refuses it.
    with pytest.raises(UnsafeURLError, match="127.0.0.1"):
        client.get(f"http://rebind.test:{port}/oai?verb=Identify")
    assert internal.seen == []


def test_a_streamed_download_and_a_post_are_pinned_too(servers):
    public, internal, port = servers
    client = strict_client(RebindingResolver(PUBLIC, INTERNAL))
    with client.stream(f"http://files.test:{port}/a.pdf") as response:
        assert b"".join(response.iter_content(1024)) == b"public"
    client = strict_client(RebindingResolver(PUBLIC, INTERNAL))
    assert client.post_json(f"http://rest.test:{port}/items/find", {"key": "v"}).body == b"public"
    assert internal.seen == [] and len(public.seen) == 2


def test_a_webhook_goes_through_the_pinned_client(servers):
    public, internal, port = servers
    settings = {"ALLOW_PRIVATE_ADDRESSES": False, "USER_AGENT": "CHAIR-Hub/test", "HTTP_MAX_RETRIES": 0}
    client = strict_client(RebindingResolver(PUBLIC, INTERNAL))
    post_webhook(settings, f"http://hooks.test:{port}/notify", {"event": "repository.failing"}, http=client)
    assert [path for _host, path in public.seen] == ["/notify?"] and internal.seen == []
    with pytest.raises(UnsafeURLError):  # rebound: refused, never posted
        post_webhook(settings, f"http://hooks.test:{port}/notify", {"event": "x"}, http=client)
    assert internal.seen == []


def test_a_redirect_is_resolved_and_checked_again(servers):
    public, internal, port = servers

    def redirecting(environ, start_response):
        return Response(b"", 302, headers={"Location": f"http://inner.test:{port}/secret"})(environ, start_response)

    outer = make_server(PUBLIC, 0, redirecting, threaded=True)
    import threading

    threading.Thread(target=outer.serve_forever, args=(0.05,), daemon=True).start()
    try:
        answers = {"start.test": [PUBLIC], "inner.test": [INTERNAL]}
        lookups: list[str] = []

        def resolver(host: str, port_: int) -> list[str]:
            lookups.append(host)
            return answers[host]

        with pytest.raises(UnsafeURLError, match="127.0.0.1"):
            strict_client(resolver).get(f"http://start.test:{outer.server_port}/oai")
        assert lookups == ["start.test", "inner.test"] and internal.seen == []
    finally:
        outer.shutdown()
        outer.server_close()


ENCODINGS = [
    "2002:7f00:1::",                       # 6to4 of 127.0.0.1
    "2002:a00:1::1",                       # 6to4 of 10.0.0.1
    "2002:c0a8:101::",                     # 6to4 of 192.168.1.1
    "2002:a9fe:a9fe::",                    # 6to4 of 169.254.169.254 (cloud metadata)
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "2001:0:7f00:1::80ff:fffe",            # Teredo naming 127.0.0.1 as its server
    "64:ff9b::7f00:1",                     # NAT64 of 127.0.0.1
    "64:ff9b::a00:1",                      # NAT64 of 10.0.0.1
    "64:ff9b::a9fe:a9fe",                  # NAT64 of 169.254.169.254
    "64:ff9b:1::c0a8:101",                 # local-use NAT64 of 192.168.1.1
    "::ffff:127.0.0.1",                    # IPv4-mapped loopback
    "::ffff:192.168.0.1",                  # IPv4-mapped private
    "::ffff:100.64.0.1",                   # IPv4-mapped shared address space
    "::127.0.0.1",                         # IPv4-compatible loopback
    "::10.0.0.1",                          # IPv4-compatible private
]


@pytest.mark.parametrize("address", ENCODINGS)
def test_ipv6_encodings_of_private_ranges_are_refused(address):
    assert not is_public_address(address)
    with pytest.raises(UnsafeURLError, match="private"):
        check_url(f"http://[{address}]/oai", allow_private=False)
    with pytest.raises(UnsafeURLError, match="private"):  # the same address given by a name server
        HttpClient({"ALLOW_PRIVATE_ADDRESSES": False}, resolver=lambda host, port: [address]).get(
            "http://repo.test/oai")


@pytest.mark.parametrize("address", ["2002:808:808::1", "64:ff9b::808:808", "::ffff:8.8.8.8",
                                     "2001:4860:4860::8888"])
def test_ipv6_encodings_of_public_addresses_pass(address):
    assert is_public_address(address)


def test_pinned_connections_work_with_private_addresses_allowed():
    recorder = Recorder()
    with serve_app(recorder) as url:
        port = url.rsplit(":", 1)[1].strip("/")
        client = HttpClient({"ALLOW_PRIVATE_ADDRESSES": True}, resolver=lambda host, port_: [INTERNAL])
        assert client.get(f"http://repo.test:{port}/oai").body == b"<OAI-PMH/>"
        assert HttpClient({"ALLOW_PRIVATE_ADDRESSES": True}).get(f"http://localhost:{port}/oai").status == 200
    assert recorder.seen == [(f"repo.test:{port}", "/oai?"), (f"localhost:{port}", "/oai?")]


def test_an_unresolvable_name_is_a_retryable_error_not_a_crash():
    def resolver(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(HttpError) as info:
        HttpClient({"ALLOW_PRIVATE_ADDRESSES": True, "HTTP_MAX_RETRIES": 0}, resolver=resolver).get(
            "http://nowhere.test/oai")
    assert info.value.retryable


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for the name secure.test (not for any address)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=secure.test", "-addext", "subjectAltName=DNS:secure.test"],
                   check=True, capture_output=True)
    return cert, key


def test_https_pinned_to_the_address_checks_the_certificate_of_the_name(certificate):
    cert, key = certificate
    recorder = Recorder()
    server = make_server(INTERNAL, 0, recorder, threaded=True, ssl_context=(str(cert), str(key)))
    import threading

    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        client = HttpClient({"ALLOW_PRIVATE_ADDRESSES": True, "HTTP_MAX_RETRIES": 0},
                            resolver=lambda host, port: [INTERNAL])
        client.session.verify = str(cert)  # trust the test certificate, as an operator's CA bundle would
        assert client.get(f"https://secure.test:{server.server_port}/oai").body == b"<OAI-PMH/>"
        assert recorder.seen == [(f"secure.test:{server.server_port}", "/oai?")]
        other = HttpClient({"ALLOW_PRIVATE_ADDRESSES": True, "HTTP_MAX_RETRIES": 0},
                           resolver=lambda host, port: [INTERNAL])
        other.session.verify = str(cert)
        with pytest.raises(HttpError, match="(?i)certificate|hostname|ssl"):  # a name the certificate lacks
            other.get(f"https://other.test:{server.server_port}/oai")
    finally:
        server.shutdown()
        server.server_close()
